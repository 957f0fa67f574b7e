/**
 * A write lock on the read-model file held past its busy timeout by another process (a second
 * server's runner, an operator's sqlite3 shell, a backup tool): the read models wait, /healthz
 * says so meanwhile, and they catch up by themselves once the lock is gone.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readModelsPathIn } from '../../projections/schema';
import { startTestApp, type TestApp } from '../support/app';
import { availableOf, checkout } from '../support/orders';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const healthz = async () => (await fetch(`${t.url}/healthz`)).status;

it('waits for the lock, then goes on without a restart, losing nothing', async () => {
  const before = await availableOf(t, 'BAGGIO-1994');
  const other = new Database(readModelsPathIn(t.dataDir));
  other.exec('BEGIN IMMEDIATE');
  try {
    await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    // The runner's commit gives up after its busy timeout (5 s) and waits.
    await expect.poll(healthz, { timeout: 20_000, interval: 250 }).toBe(503);
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  await expect.poll(healthz, { timeout: 15_000, interval: 250 }).toBe(200);
  // The checkout made while locked is in the read models, and a new one follows it.
  await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
  await expect.poll(() => availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
}, 60_000);
