/**
 * Starts the real thing for integration tests: the local Stripe sandbox, then the
 * server on a temporary DATA_DIR (embedded store unless EVENTSTORE_URL is given),
 * wired together exactly as `npm start` does, on free ports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import type { Sandbox, SandboxOptions } from '../../demo/sandbox';
import { startSandbox } from '../../demo/sandbox';
import type { App, AppOptions } from '../../server/app';
import { startApp } from '../../server/app';
import type { CatalogEntry } from '../../server/catalog/catalog-file';
import type { Env } from '../../server/config';
import { parseConfig } from '../../server/config';
import type { AppRouter } from '../../server/http/router';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: App;
  sandbox: Sandbox;
  url: string;
  dataDir: string;
  client: ReturnType<typeof clientFor>;
  admin: ReturnType<typeof clientFor>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  catalog?: CatalogEntry[];
  env?: Env;
  sandbox?: SandboxOptions;
  /** Reuse a data dir (to restart over the same store). */
  dataDir?: string;
  /** Reuse a running sandbox (e.g. across a server restart). */
  sharedSandbox?: Sandbox;
  /** Static folders to serve, as the demo does (e.g. the shop at '/'). */
  pages?: AppOptions['pages'];
  /** The server's clock (the sweep and event times read it). */
  now?: () => Date;
  /** Where the server's log lines go, at env.LOG_LEVEL (silent unless given). */
  logTo?: AppOptions['logTo'];
  /**
   * Return as soon as the server listens, before its read models have caught up (by default
   * it returns once they have, as a test expects of a ready server: /healthz answers ok).
   */
  listening?: boolean;
}

/** A plain €10.00 product named after its sku, for a test's own stock situation. */
export const catalogEntry = (sku: string, stock: number): CatalogEntry => ({
  sku,
  name: sku,
  description: '',
  image: '',
  unitAmount: 1000,
  currency: 'eur',
  stock,
});

export const testCatalog: CatalogEntry[] = [
  {
    sku: 'PELE-1958',
    name: 'Pelé 1958',
    description: 'rookie',
    image: '/images/pele-1958.svg',
    unitAmount: 18900,
    currency: 'eur',
    stock: 3,
  },
  {
    sku: 'BAGGIO-1994',
    name: 'Baggio 1994',
    description: '',
    image: '/images/baggio-1994.svg',
    unitAmount: 4500,
    currency: 'eur',
    stock: 50,
  },
  {
    sku: 'MALDINI-2003',
    name: 'Maldini 2003',
    description: '',
    image: '',
    unitAmount: 3900,
    currency: 'eur',
    stock: 1,
  },
];

export function clientFor(url: string, headers: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: `${url}/trpc`, EventSource }),
        false: splitLink({
          // Only queries are batched: the server refuses batches of checkout.start.
          condition: (op) => op.type === 'mutation' || Object.keys(headers).length > 0,
          true: httpLink({ url: `${url}/trpc`, headers }),
          false: httpBatchLink({ url: `${url}/trpc` }),
        }),
      }),
    ],
  });
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-'));
  const catalogFile = path.join(dataDir, 'catalog.json');
  fs.writeFileSync(catalogFile, JSON.stringify({ products: options.catalog ?? testCatalog }));
  const sandbox =
    options.sharedSandbox ??
    (await startSandbox({ retryInitialDelayMs: 20, asyncDelayMs: 50, ...options.sandbox }));
  const config = parseConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    CATALOG_FILE: catalogFile,
    STRIPE_SECRET_KEY: sandbox.secretKey,
    STRIPE_WEBHOOK_SECRET: sandbox.webhookSecret,
    STRIPE_API_URL: sandbox.url,
    ALLOWED_ORIGINS: 'http://shop.test',
    ADMIN_TOKEN,
    SQLITE_SYNCHRONOUS: 'NORMAL',
    // Tests check the limits on purpose (hostile-input suite); elsewhere they would only get in the way.
    CHECKOUT_RATE_LIMIT: '100000',
    MAX_HELD_UNITS: '100000',
    MAX_HELD_UNITS_PER_CLIENT: '100000',
    SWEEP_INTERVAL_SECONDS: '0',
    STRIPE_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'silent',
    ...(process.env.TEST_EVENTSTORE_URL && { EVENTSTORE_URL: process.env.TEST_EVENTSTORE_URL }),
    ...(process.env.TEST_SQLITE_WRITER_THREAD && {
      SQLITE_WRITER_THREAD: process.env.TEST_SQLITE_WRITER_THREAD,
    }),
    ...options.env,
  });
  const app = await startApp(config, {
    ...(options.pages && { pages: options.pages }),
    ...(options.now && { now: options.now }),
    ...(options.logTo && { logTo: options.logTo }),
  });
  sandbox.setWebhookUrl(`${app.url}/webhooks/stripe`);
  if (!options.listening) await app.services.readModels.caughtUp.catch(() => {});
  return {
    app,
    sandbox,
    url: app.url,
    dataDir,
    client: clientFor(app.url),
    admin: clientFor(app.url, { authorization: `Bearer ${ADMIN_TOKEN}` }),
    async close() {
      await app.close();
      if (!options.sharedSandbox) await sandbox.close();
    },
  };
}

/**
 * A server clock that can run ahead of the real one, for `startTestApp({ now })`; `later`
 * moves it and the app's sandbox clock on together, as Stripe's test clocks would.
 */
export function movableClock() {
  let aheadMs = 0;
  return {
    now: () => new Date(Date.now() + aheadMs),
    later(t: TestApp, ms: number): void {
      aheadMs += ms;
      t.sandbox.advanceClock(ms);
    },
  };
}
