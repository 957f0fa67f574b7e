/**
 * A server whose clock jumped ahead of Stripe's: the sweep, on its own timer, leaves the
 * sessions Stripe still has open (their stock held) and says why in the log, once a round.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keptLog } from '../security/support/log-lines';
import { startTestApp, type TestApp } from '../support/app';
import { availableOf, checkout, countOf } from '../support/orders';

const log = keptLog();
let aheadMs = 0;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    now: () => new Date(Date.now() + aheadMs),
    logTo: log.logTo,
    env: { LOG_LEVEL: 'warn', SWEEP_INTERVAL_SECONDS: '1', RESERVATION_GRACE_SECONDS: '0' },
  });
});
afterAll(async () => {
  await t?.close();
});

it("warns that this server's clock looks ahead, and keeps the stock of the sessions Stripe has open", async () => {
  t.sandbox.setWebhookUrl(undefined);
  const before = await availableOf(t, 'BAGGIO-1994');
  const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);

  aheadMs = 32 * 60_000;
  await expect
    .poll(
      () =>
        log.lines().filter((line) => line.msg.startsWith('reservation sweep: Stripe still has')),
      {
        timeout: 10_000,
      },
    )
    .not.toEqual([]);
  const warning = log.written.find((line) => line.includes('Stripe still has'))!;
  expect(JSON.parse(warning)).toMatchObject({ level: 40, orderIds: [order.orderId] });
  expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
  expect(t.sandbox.session(order.sessionId)?.status).toBe('open');
  expect(await countOf(t.app.services.store, order.orderId, 'CheckoutExpired')).toBe(0);
});
