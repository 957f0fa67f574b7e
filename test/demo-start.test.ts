/**
 * `npm start`'s launcher (demo/start.ts) as a newcomer runs it: its own process, the local
 * sandbox, fixed ports (it takes no port 0), a page of the newcomer's own in
 * ALLOWED_ORIGINS, which must add to the demo's origins, not replace them, the shop reached
 * through a tunnel (PUBLIC_URL), and a STRIPE_WEBHOOK_SECRET left in the shell from
 * `stripe listen`, which must not make the server refuse the sandbox's webhooks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A port free now: the OS picks it, and it is given back at once for the demo to take. */
async function freePort(): Promise<number> {
  const socket = net.createServer();
  await new Promise<void>((resolve) => socket.listen(0, '127.0.0.1', resolve));
  const { port } = socket.address() as net.AddressInfo;
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

const PUBLIC_URL = 'https://shop-tunnel.example';
let child: ChildProcess;
let shop: string;
let embed: string;
let sandbox: string;
let output = '';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-demo-'));

beforeAll(async () => {
  const [port, embedPort, sandboxPort] = [await freePort(), await freePort(), await freePort()];
  shop = `http://localhost:${port}`;
  embed = `http://localhost:${embedPort}`;
  sandbox = `http://127.0.0.1:${sandboxPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DEMO_EMBED_PORT: String(embedPort),
    SANDBOX_PORT: String(sandboxPort),
    DATA_DIR: dataDir,
    ALLOWED_ORIGINS: 'http://my-page.test:8080',
    PUBLIC_URL,
    STRIPE_WEBHOOK_SECRET: 'whsec_left_over_from_stripe_listen_0123456789',
    LOG_LEVEL: 'warn',
  };
  delete env.STRIPE_SECRET_KEY;
  delete env.STRIPE_API_URL;
  child = spawn(process.execPath, ['--import', 'tsx', 'demo/start.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`demo did not start in 30 s:\n${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl+C stops it')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before it was up:\n${output}`));
    });
  });
}, 40_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const allowed = async (origin: string) =>
  (await fetch(`${shop}/trpc/catalog.list`, { headers: { origin } })).headers.get(
    'access-control-allow-origin',
  );

it("serves the widget to the demo's own pages and to a page named in ALLOWED_ORIGINS", async () => {
  expect(await allowed('http://my-page.test:8080')).toBe('http://my-page.test:8080');
  expect(await allowed(embed)).toBe(embed);
  expect(await allowed(shop.replace('localhost', '127.0.0.1'))).toBe(
    shop.replace('localhost', '127.0.0.1'),
  );
  expect(await allowed('http://not-named.test')).toBeNull();
});

it('lets a shopper on the shop it printed at PUBLIC_URL check out, the sandbox signing its webhooks', async () => {
  expect(output).toContain(`shop            ${PUBLIC_URL}/`);
  expect(output).toContain('STRIPE_WEBHOOK_SECRET ignored');
  expect(await allowed(PUBLIC_URL)).toBe(PUBLIC_URL);
  const started = await fetch(`${shop}/trpc/checkout.start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: PUBLIC_URL },
    body: JSON.stringify({
      checkoutId: randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'fan@example.com',
      returnUrl: `${PUBLIC_URL}/`,
    }),
  });
  const body = await started.json();
  expect(body.error?.message).toBeUndefined();
  const { orderId, checkoutUrl } = body.result.data;
  // The session ends at the sandbox, which sends checkout.session.expired: recorded only if
  // the server checks it against the sandbox's secret, not the one left in the shell.
  const sessionId = new URL(checkoutUrl).pathname.split('/').pop();
  const expired = await fetch(`${sandbox}/v1/checkout/sessions/${sessionId}/expire`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_sandbox' },
  });
  expect(expired.status).toBe(200);
  const status = async () => {
    const input = encodeURIComponent(JSON.stringify({ orderId }));
    return (await (await fetch(`${shop}/trpc/order.get?input=${input}`)).json()).result.data.status;
  };
  await expect.poll(status, { timeout: 8_000 }).toBe('expired');
});

it('serves the shop and the analytics page', async () => {
  for (const page of ['/', '/admin/']) {
    const response = await fetch(`${shop}${page}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  }
});
