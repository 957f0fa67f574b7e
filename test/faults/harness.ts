/** What the fault suites share: ports, catalog files, a server's environment, polling, figures. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sandbox } from '../../demo/sandbox';
import type { CatalogEntry } from '../../server/catalog/catalog-file';
import { openEventStore } from '../../server/eventstore/open';
import type { EventStore } from '../../server/eventstore/port';

/** The shop origin of test/support/orders.ts's RETURN_URL. */
const SHOP = 'http://shop.test';

export { freePort } from '../support/free-port';

export const tempDir = (prefix: string) =>
  fs.mkdtempSync(path.join(os.tmpdir(), `stripe-cart-${prefix}-`));

/** Products named CARD-1..CARD-n, each with `stock` units. */
export function cards(count: number, stock: number): CatalogEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    sku: `CARD-${i + 1}`,
    name: `Card ${i + 1}`,
    description: '',
    image: '',
    unitAmount: 1000 + 100 * i,
    currency: 'eur',
    stock,
  }));
}

export function writeCatalog(dir: string, products: CatalogEntry[]): string {
  const file = path.join(dir, 'catalog.json');
  fs.writeFileSync(file, JSON.stringify({ products }));
  return file;
}

/** The environment of a production server on the embedded store, pointed at the sandbox. */
export function serverEnv(
  sandbox: Sandbox,
  settings: { port: number; dataDir: string; catalogFile: string },
): Record<string, string> {
  return {
    PORT: String(settings.port),
    HOST: '127.0.0.1',
    DATA_DIR: settings.dataDir,
    CATALOG_FILE: settings.catalogFile,
    STRIPE_SECRET_KEY: sandbox.secretKey,
    STRIPE_WEBHOOK_SECRET: sandbox.webhookSecret,
    STRIPE_API_URL: sandbox.url,
    ALLOWED_ORIGINS: SHOP,
    // An acknowledged payment must survive SIGKILL: the production default, said out loud.
    SQLITE_SYNCHRONOUS: 'FULL',
    // These suites load the server on purpose; the abuse limits have their own tests.
    CHECKOUT_RATE_LIMIT: '100000',
    MAX_HELD_UNITS: '100000',
    MAX_HELD_UNITS_PER_CLIENT: '100000',
    SWEEP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'warn',
    EVENTSTORE_URL: '',
  };
}

/** Opens a data dir's embedded event store from the test process (WAL: safe beside a server). */
export const openStore = (dataDir: string): Promise<EventStore> =>
  openEventStore({ sqlitePath: path.join(dataDir, 'events.sqlite'), synchronous: 'FULL' });

/** Polls a condition until it holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function latencySummary(samplesMs: number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1)!),
  };
}

/** Counts values by key, e.g. HTTP statuses. */
export function tally<T>(values: T[], key: (value: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) {
    const k = key(value);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
