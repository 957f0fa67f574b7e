/**
 * The one place that reads the environment. Every setting is validated here, and a
 * bad or missing one stops the server at start with one clear line (ConfigError).
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** An http(s) URL; `localhost:3000` parses too (scheme "localhost:"), and means nothing here. */
const isWebUrl = (value: string) =>
  URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);

const url = (what: string) => z.string().refine(isWebUrl, `must be an http(s) URL (${what})`);

/** A key or secret: whitespace around it (a secret file's last newline, say) is named as such. */
const secret = (pattern: RegExp, shape: string) =>
  z.string().refine((value) => pattern.test(value), {
    error: (issue) =>
      String(issue.input).trim() === issue.input
        ? shape
        : 'must not start or end with whitespace (a newline at the end of a secret file?)',
  });

/** Plain decimal digits only: `z.coerce.number()` reads " " as 0, and takes 0x1F and 1e1. */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      error: (issue) =>
        `must be a whole number from ${min} to ${max}, not ${JSON.stringify(issue.input)}`,
    })
    .transform(Number);

/** Where the events and read models live: shared by the server and the projections CLI. */
const storageSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  EVENTSTORE_URL: z
    .string()
    .regex(/^esdb(\+discover)?:\/\//, 'must start with esdb:// or esdb+discover://')
    .optional(),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
});

const schema = storageSchema.extend({
  SQLITE_WRITER_THREAD: z.enum(['true', 'false']).default('true'),
  PORT: wholeNumber(0, 65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: url('e.g. https://shop.example').optional(),
  STRIPE_SECRET_KEY: secret(
    /^(sk|rk)_(test|live)_\w+$/,
    'must look like sk_test_... or sk_live_... (or a restricted rk_test_... / rk_live_... key)',
  ),
  STRIPE_WEBHOOK_SECRET: secret(/^whsec_\w+$/, 'must look like whsec_...'),
  STRIPE_API_URL: url('a Stripe-compatible base URL, e.g. http://127.0.0.1:12111').optional(),
  STRIPE_TIMEOUT_MS: wholeNumber(100, 120_000).default(10_000),
  ALLOWED_ORIGINS: z.string().optional(),
  ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    // Node trims header values, so such a token could never match.
    .refine((token) => token === token.trim(), 'must not start or end with whitespace')
    .optional(),
  CATALOG_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CHECKOUT_RATE_LIMIT: wholeNumber(1, 100_000).default(30),
  MAX_HELD_UNITS: wholeNumber(1, 100_000).default(20),
  MAX_HELD_UNITS_PER_CLIENT: wholeNumber(1, 100_000).default(60),
  MAX_STREAMS_PER_CLIENT: wholeNumber(1, 100_000).default(32),
  RESERVATION_GRACE_SECONDS: wholeNumber(0, 86_400).default(300),
  SWEEP_INTERVAL_SECONDS: wholeNumber(0, 86_400).default(60),
  TRUST_PROXY: z.string().optional(),
});

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  eventstoreUrl: string | undefined;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** Commit the embedded store's appends in a thread of their own (see BENCHMARKS.md). */
  sqliteWriterThread: boolean;
  stripe: {
    secretKey: string;
    webhookSecret: string;
    apiUrl: string | undefined;
    timeoutMs: number;
  };
  /** Origins (scheme://host[:port]) allowed to call the API and to be return URLs. */
  allowedOrigins: string[];
  adminToken: string | undefined;
  catalogFile: string | undefined;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** checkout.start calls allowed per client IP per minute. */
  checkoutRateLimit: number;
  /** Units one shopper (email) may hold in unpaid checkouts at once. */
  maxHeldUnits: number;
  maxHeldUnitsPerClient: number;
  /** Live subscriptions (SSE streams) one client may keep open at once. */
  maxStreamsPerClient: number;
  reservationGraceMs: number;
  /** 0 turns the reservation sweep off. */
  sweepIntervalMs: number;
  /**
   * The proxies (IP addresses, CIDR ranges) whose X-Forwarded-For is believed: a request
   * through them comes from the right-most address that is none of them. `false`: none.
   */
  trustProxy: false | string[];
}

export type Env = Record<string, string | undefined>;

/** Parses settings from an environment-shaped record; throws ConfigError with one line. */
export function parseConfig(env: Env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const message =
      issue.code === 'invalid_type' && present[name] === undefined ? 'is required' : issue.message;
    throw new ConfigError(`Invalid setting ${name}: ${message}`);
  }
  const s = result.data;
  const publicUrl = (s.PUBLIC_URL ?? localUrl(s.PORT)).replace(/\/+$/, '');
  return {
    port: s.PORT,
    host: s.HOST,
    publicUrl,
    dataDir: path.resolve(s.DATA_DIR),
    eventstoreUrl: s.EVENTSTORE_URL,
    sqliteSynchronous: s.SQLITE_SYNCHRONOUS,
    sqliteWriterThread: s.SQLITE_WRITER_THREAD === 'true',
    stripe: {
      secretKey: s.STRIPE_SECRET_KEY,
      webhookSecret: s.STRIPE_WEBHOOK_SECRET,
      apiUrl: s.STRIPE_API_URL,
      timeoutMs: s.STRIPE_TIMEOUT_MS,
    },
    allowedOrigins: parseOrigins(s.ALLOWED_ORIGINS, publicUrl),
    adminToken: s.ADMIN_TOKEN,
    catalogFile: s.CATALOG_FILE,
    logLevel: s.LOG_LEVEL,
    checkoutRateLimit: s.CHECKOUT_RATE_LIMIT,
    maxHeldUnits: s.MAX_HELD_UNITS,
    maxHeldUnitsPerClient: s.MAX_HELD_UNITS_PER_CLIENT,
    maxStreamsPerClient: s.MAX_STREAMS_PER_CLIENT,
    reservationGraceMs: s.RESERVATION_GRACE_SECONDS * 1000,
    sweepIntervalMs: s.SWEEP_INTERVAL_SECONDS * 1000,
    trustProxy: parseTrustedProxies(s.TRUST_PROXY),
  };
}

/** PUBLIC_URL's default: this machine, at PORT. */
const localUrl = (port: number) => `http://localhost:${port}`;

/**
 * True when PORT is 0 (the OS picks the port as the server starts) and PUBLIC_URL is left to
 * its default, which names the port: `onPort` gives the config the port picked.
 */
export const awaitsPort = (config: Config) => config.port === 0 && config.publicUrl === localUrl(0);

/** The config on `port`, picked for PORT=0: the defaults made from PORT name it. */
export function onPort(config: Config, port: number): Config {
  const publicUrl = localUrl(port);
  const defaultOrigins = config.allowedOrigins.join() === new URL(config.publicUrl).origin;
  return {
    ...config,
    port,
    publicUrl,
    allowedOrigins: defaultOrigins ? [new URL(publicUrl).origin] : config.allowedOrigins,
  };
}

function parseOrigins(list: string | undefined, publicUrl: string): string[] {
  if (!list) return [new URL(publicUrl).origin];
  const entries = listEntries(list);
  if (entries.length === 0) {
    throw new ConfigError(
      'Invalid setting ALLOWED_ORIGINS: names no origin; give one like https://shop.example, or leave it unset for the PUBLIC_URL origin',
    );
  }
  return entries.map((entry) => {
    if (entry.includes('*')) {
      throw new ConfigError(
        `Invalid setting ALLOWED_ORIGINS: "${entry}" has a wildcard, which is not supported; list every origin, e.g. https://shop.example,https://www.shop.example`,
      );
    }
    if (!isWebUrl(entry)) {
      throw new ConfigError(
        `Invalid setting ALLOWED_ORIGINS: "${entry}" is not an origin like https://shop.example`,
      );
    }
    return new URL(entry).origin;
  });
}

const ADDRESSES_INSTEAD =
  "give your proxies' addresses instead, e.g. TRUST_PROXY=127.0.0.1 for a proxy on this machine";

/** TRUST_PROXY: `false` (or unset), or the IP addresses and CIDR ranges of the site's proxies. */
function parseTrustedProxies(value: string | undefined): false | string[] {
  if (value === undefined || value === 'false') return false;
  const refuse = (why: string) => new ConfigError(`Invalid setting TRUST_PROXY: ${why}`);
  if (value.trim().toLowerCase() === 'true') {
    throw refuse(
      `true would believe every X-Forwarded-For entry, so any client could choose its own IP; ${ADDRESSES_INSTEAD}`,
    );
  }
  // Fastify 5 ignores a hop count (trustProxy: n) rather than believe whoever connects directly.
  if (/^\d+$/.test(value.trim())) {
    throw refuse(
      `a number of proxies cannot tell a proxy from a client that connects directly; ${ADDRESSES_INSTEAD}`,
    );
  }
  const entries = listEntries(value);
  if (entries.length === 0) throw refuse(`names no proxy; ${ADDRESSES_INSTEAD}, or false`);
  for (const entry of entries) {
    const problem = addressProblem(entry);
    if (problem) throw refuse(`"${entry}" ${problem}`);
  }
  return entries;
}

/** What keeps an entry from being an IP address or a CIDR range, if anything. */
function addressProblem(entry: string): string | undefined {
  const [address = '', prefix, ...more] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || more.length > 0) {
    return 'is not an IP address or a CIDR range like 10.0.0.0/8';
  }
  const bits = version === 4 ? 32 : 128;
  const prefixInBounds =
    prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= bits);
  return prefixInBounds ? undefined : `needs a prefix length from 1 to ${bits}`;
}

/** The entries of a comma-separated setting, trimmed, blanks dropped. */
function listEntries(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * Reads the process environment. `defaults` fill settings the environment leaves unset
 * (the demo launcher uses it to point an unconfigured server at the local sandbox);
 * `extend(env)` gives settings made from the environment's own (the demo adds its pages'
 * origins to those of ALLOWED_ORIGINS).
 */
export function loadConfig(defaults: Env = {}, extend: (env: Env) => Env = () => ({})): Config {
  const env = { ...defaults, ...definedOnly(process.env) };
  return parseConfig({ ...env, ...extend(env) });
}

const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: 'is already in use',
  EACCES: 'needs privileges this process does not have',
  EADDRNOTAVAIL: 'is not an address of this machine',
  ENOTFOUND: 'is not a name this machine can resolve',
  EAI_AGAIN: 'is not a name this machine can resolve (no answer from DNS)',
};

/**
 * A listen error that a setting caused (a port already taken, say) as a ConfigError naming
 * the setting; any other error as it was.
 */
export function listenError(error: unknown, setting: string, address: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const why = typeof code === 'string' ? LISTEN_FAILURES[code] : undefined;
  return why ? new ConfigError(`Cannot listen on ${address} (${setting}): it ${why}`) : error;
}

/**
 * A connection string fit for a log line or an error: its user and password cut as the
 * EventStoreDB client reads them (up to the first '@'), whatever they hold ('/', '?', '#').
 */
export const withoutCredentials = (url: string) => url.replace(/:\/\/[^@]*@/, '://');

/** True when the environment names real Stripe keys, so the demo must not start its sandbox. */
export function stripeConfiguredInEnvironment(): boolean {
  return Boolean(process.env.STRIPE_SECRET_KEY);
}

/** The Stripe settings the environment gives, by name (the demo says which its sandbox overrides). */
export function stripeSettingsInEnvironment(): string[] {
  return ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_API_URL'].filter(
    (name) => process.env[name],
  );
}

function definedOnly(env: NodeJS.ProcessEnv): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

export interface StorageSettings {
  dataDir: string;
  eventstoreUrl: string | undefined;
  sqliteSynchronous: 'FULL' | 'NORMAL';
}

/** The storage settings alone (for `npm run projections` and `npm run report`). */
export function loadStorageSettings(): StorageSettings {
  const result = storageSchema.safeParse(definedOnly(process.env));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`Invalid setting ${String(issue.path[0])}: ${issue.message}`);
  }
  const { DATA_DIR, EVENTSTORE_URL, SQLITE_SYNCHRONOUS } = result.data;
  return {
    dataDir: path.resolve(DATA_DIR),
    eventstoreUrl: EVENTSTORE_URL,
    sqliteSynchronous: SQLITE_SYNCHRONOUS,
  };
}

// The demo's pages name each other's addresses (links, allowed origins): no port left to the OS.
const demoSchema = z.object({
  SANDBOX_PORT: wholeNumber(1, 65_535).default(12111),
  DEMO_EMBED_PORT: wholeNumber(1, 65_535).default(3001),
  PORT: wholeNumber(1, 65_535).default(3000),
});

export interface DemoSettings {
  sandboxPort: number;
  embedPort: number;
  port: number;
}

/** Settings only the demo launcher uses: where the sandbox and the second-origin page listen. */
export function loadDemoSettings(): DemoSettings {
  const result = demoSchema.safeParse(definedOnly(process.env));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`Invalid setting ${String(issue.path[0])}: ${issue.message}`);
  }
  const { SANDBOX_PORT, DEMO_EMBED_PORT, PORT } = result.data;
  return { sandboxPort: SANDBOX_PORT, embedPort: DEMO_EMBED_PORT, port: PORT };
}
