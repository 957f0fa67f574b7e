/**
 * EventStoreDB unavailable: not up when the server starts (the start stops in one line
 * naming EVENTSTORE_URL, for the process manager to try again), or restarting later (the
 * read models wait, /healthz says so, and they go on once it is back).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { stockReport } from '../../projections/queries';
import { startProjectionRunner } from '../../projections/runner';
import { type App, startApp } from '../../server/app';
import { parseConfig } from '../../server/config';
import { EsdbEventStore } from '../../server/eventstore/esdb';
import { startEsdbEmulator } from '../esdb-emulator';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

async function freePort(): Promise<number> {
  const emulator = await startEsdbEmulator();
  const port = Number(new URL(emulator.connectionString.replace('esdb:', 'http:')).port);
  await emulator.close();
  return port;
}

async function startServer(port: number, lines: string[], credentials = ''): Promise<App> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'esdb-outage-'));
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = await startApp(
    parseConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      EVENTSTORE_URL: `esdb://${credentials}127.0.0.1:${port}?tls=false`,
      STRIPE_SECRET_KEY: 'sk_test_review',
      STRIPE_WEBHOOK_SECRET: 'whsec_review',
      SWEEP_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'info',
    }),
    { logTo: sink },
  );
  cleanup.push(() => app.close());
  return app;
}

const health = async (app: App) => (await fetch(`${app.url}/healthz`)).status;

describe('EventStoreDB unavailable', () => {
  it('not up when the server starts: the start stops in one line naming EVENTSTORE_URL', async () => {
    const port = await freePort();
    await expect(startServer(port, [])).rejects.toThrow(
      new RegExp(`^Cannot open the event store \\(EVENTSTORE_URL esdb://127\\.0\\.0\\.1:${port}`),
    );
    // The client takes all up to the first '@' as user and password, '?' and '#' included.
    for (const password of ['Tr0ub4dor?x', 'Tr0ub4dor#x']) {
      const refused = await startServer(port, [], `admin:${password}@`).catch((e: Error) => e);
      expect(String(refused)).toMatch(/Cannot open the event store \(EVENTSTORE_URL esdb:\/\/127/);
      expect(String(refused)).not.toContain('Tr0ub4dor');
    }
  }, 20_000);

  it('subscribes again while it is down, keeping no failed subscription open', async () => {
    const emulator = await startEsdbEmulator();
    const store = EsdbEventStore.connect(emulator.connectionString);
    cleanup.push(() => store.close());
    const retries: number[] = [];
    const runner = await startProjectionRunner({
      store,
      dbPath: path.join(
        fs.mkdtempSync(path.join(os.tmpdir(), 'esdb-outage-')),
        'readmodels.sqlite',
      ),
      onError: () => {},
      onUnavailable: (_error, wait) => retries.push(wait),
    });
    cleanup.push(() => runner.close());
    await runner.caughtUp;
    const subscriptions = () =>
      (store as unknown as { subscriptions: Set<unknown> }).subscriptions.size;
    expect(subscriptions()).toBe(1);
    await emulator.close();
    await expect.poll(() => retries.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    // Waits that double from 0.25 s, and at most the one subscription being tried.
    expect(retries.slice(0, 4)).toEqual([250, 500, 1_000, 2_000]);
    expect(subscriptions()).toBeLessThanOrEqual(1);
  }, 30_000);

  it('restarting while the server runs: the read models wait, say so, and go on once it is back', async () => {
    const port = await freePort();
    let emulator = await startEsdbEmulator({ port });
    cleanup.push(() => emulator.close());
    const lines: string[] = [];
    const app = await startServer(port, lines);
    await app.services.readModels.caughtUp;
    expect(await health(app)).toBe(200);

    await emulator.close();
    await expect.poll(() => health(app), { timeout: 10_000 }).toBe(503);
    expect(lines.some((l) => l.includes('event store unavailable'))).toBe(true);

    emulator = await startEsdbEmulator({ port });
    await expect.poll(() => health(app), { timeout: 15_000 }).toBe(200);
    // The read models move again: a product listed now reaches them.
    const product = {
      sku: 'AFTER-OUTAGE',
      name: 'After',
      description: '',
      image: '',
      unitAmount: 500,
      currency: 'eur',
    };
    await app.services.products.execute(
      { type: 'ListProduct', product, stock: 3, at: new Date().toISOString() },
      { correlationId: 'test', causationId: 'test' },
    );
    await expect
      .poll(() => stockReport(app.services.readModels.db).products.map((p) => p.sku), {
        timeout: 10_000,
      })
      .toContain('AFTER-OUTAGE');
    expect(lines.filter((l) => l.includes('projection runner stopped'))).toEqual([]);
  }, 60_000);
});
