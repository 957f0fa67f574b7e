/**
 * Runs the sandbox on its own: `tsx demo/sandbox/main.ts`.
 * Environment: SANDBOX_PORT (default 12111), SANDBOX_HOST, SANDBOX_WEBHOOK_URL,
 * SANDBOX_SECRET_KEY, SANDBOX_WEBHOOK_SECRET, SANDBOX_ASYNC_DELAY_MS, SANDBOX_STRIPE_DIR.
 */
import { ConfigError, listenError } from '../../server/config';
import { type Sandbox, startSandbox } from './index';

function numberFrom(name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > max) {
    console.error(`${name} must be a whole number from 0 to ${max}, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

const env = process.env;
const port = numberFrom('SANDBOX_PORT', 12111, 65_535);
const host = env.SANDBOX_HOST || '127.0.0.1';
const options = {
  port,
  host,
  ...(env.SANDBOX_WEBHOOK_URL ? { webhookUrl: env.SANDBOX_WEBHOOK_URL } : {}),
  ...(env.SANDBOX_SECRET_KEY ? { secretKey: env.SANDBOX_SECRET_KEY } : {}),
  ...(env.SANDBOX_WEBHOOK_SECRET ? { webhookSecret: env.SANDBOX_WEBHOOK_SECRET } : {}),
  ...(env.SANDBOX_STRIPE_DIR ? { stripeDataDir: env.SANDBOX_STRIPE_DIR } : {}),
  asyncDelayMs: numberFrom('SANDBOX_ASYNC_DELAY_MS', 2000),
  log: (line: string) => console.log(`[sandbox] ${line}`),
};
let sandbox: Sandbox;
try {
  sandbox = await startSandbox(options);
} catch (error) {
  // A port taken or a host this machine is not: one line naming the setting, as npm start says it.
  const code = (error as { code?: unknown } | null)?.code;
  const hostsFault = code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EADDRNOTAVAIL';
  const said = listenError(error, hostsFault ? 'SANDBOX_HOST' : 'SANDBOX_PORT', `${host}:${port}`);
  if (!(said instanceof ConfigError)) throw error;
  console.error(said.message);
  process.exit(1);
}

// Printed once at start on purpose: these are the sandbox's own test credentials.
console.log(`Local Stripe sandbox listening on ${sandbox.url}`);
console.log(`  STRIPE_API_URL=${sandbox.url}`);
console.log(`  STRIPE_SECRET_KEY=${sandbox.secretKey}`);
console.log(`  STRIPE_WEBHOOK_SECRET=${sandbox.webhookSecret}`);
console.log(`  webhooks -> ${env.SANDBOX_WEBHOOK_URL || '(none: set SANDBOX_WEBHOOK_URL)'}`);

const stop = () => {
  sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
