/**
 * The per-shopper cap on held units (MAX_HELD_UNITS) and a changed cart's Pay (`replaces`):
 * the previous Pay's order is ended first, and its units no longer count, though the read
 * models the cap reads may not have projected that ending yet.
 *
 * The projection runner is held back for the length of one request (another process holds
 * the read-model file's write lock, which the runner waits out), so the outcome does not
 * depend on timing; read-model lag alone refused about one such Pay in ten before.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkpointPosition, headPosition, readModelsOf } from '../faults/read-models';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp } from '../support/app';
import { RETURN_URL, sessionIdOf } from '../support/orders';

const SKU = 'CAP-REPLACE';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [catalogEntry(SKU, 100)], env: { MAX_HELD_UNITS: '3' } });
});
afterAll(async () => {
  await t?.close();
});

it('a changed cart within the cap replaces the last Pay even while the read models lag', async () => {
  const email = 'near-cap@example.com';
  const firstId = randomUUID();
  const first = await t.client.checkout.start.mutate({
    checkoutId: firstId,
    items: [{ sku: SKU, quantity: 3 }],
    email,
    returnUrl: RETURN_URL,
  });
  await expect.poll(() => checkpointPosition(t.dataDir) === headPosition(t.dataDir)).toBe(true);

  // The read models fall behind for the length of the next request.
  const lock = new Database(readModelsOf(t.dataDir));
  lock.exec('BEGIN IMMEDIATE');
  let answer: unknown;
  try {
    // The shopper takes one unit out and presses Pay: 2 units, well within the cap of 3 once
    // the 3-unit checkout it replaces has ended.
    answer = await t.client.checkout.start
      .mutate({
        checkoutId: randomUUID(),
        items: [{ sku: SKU, quantity: 2 }],
        email,
        returnUrl: RETURN_URL,
        replaces: [firstId],
      })
      .then(
        (r) => ({ ok: true, orderId: r.orderId !== first.orderId }),
        (e: { data?: { code?: string }; message?: string }) => ({
          ok: false,
          code: e.data?.code,
          message: e.message,
        }),
      );
  } finally {
    lock.exec('ROLLBACK');
    lock.close();
  }
  await t.app.services.afterReply.settled();
  // The previous page is gone either way: it had to be, for the new one.
  expect(t.sandbox.session(sessionIdOf(first.checkoutUrl))?.status).toBe('expired');
  expect(answer).toEqual({ ok: true, orderId: true });
});
