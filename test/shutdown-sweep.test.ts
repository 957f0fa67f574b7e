/**
 * Stopping the server while a reservation-sweep round is waiting on Stripe: close() waits for
 * the order in hand and starts no other, rather than let go of the store while the round
 * still works (the process would exit under it, leaving a session ended at Stripe with no
 * CheckoutExpired stored and its stock held).
 */
import { afterEach, expect, it } from 'vitest';
import { orderStream } from '../server/domain/events';
import { startTestApp, type TestApp } from './support/app';
import { checkout } from './support/orders';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('close() waits for a sweep round in flight: nothing is asked of Stripe or left half-done after it resolves', async () => {
  let offsetMs = 0;
  const stripeCalls: { at: number; line: string }[] = [];
  const t: TestApp = await startTestApp({
    sandbox: { log: (line) => stripeCalls.push({ at: Date.now(), line }) },
    now: () => new Date(Date.now() + offsetMs),
    env: {
      SWEEP_INTERVAL_SECONDS: '1',
      RESERVATION_GRACE_SECONDS: '0',
      STRIPE_TIMEOUT_MS: '1500',
    },
  });
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await t.app.close();
    await t.sandbox.close();
  });
  t.sandbox.setWebhookUrl(undefined);
  const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
  const next = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }], 'next@example.com');
  // Past its expiry on this server's clock and on Stripe's, Stripe's own expiry running late.
  const past = (31 * 60 + 5) * 1000;
  offsetMs += past;
  t.sandbox.advanceClock(past, { expireDue: false });
  // Stripe is slow on the sweep's first call (no answer until the client gives up; then retried).
  t.sandbox.failNext('timeout');
  // The sweep round is waiting on Stripe once its first call for the session has come.
  await expect
    .poll(() => stripeCalls.some((c) => c.line.includes(order.sessionId)), { timeout: 10_000 })
    .toBe(true);
  await t.app.close();
  closed = true;
  const closedAt = Date.now();
  // The round was finished, not cut: the session it ended at Stripe is ended here too. It
  // stopped after that order: the next is left for the next start.
  expect(t.sandbox.session(order.sessionId)?.status).toBe('expired');
  expect(t.sandbox.session(next.sessionId)?.status).toBe('open');

  // Reopen the store to see what was recorded.
  const again = await startTestApp({
    dataDir: t.dataDir,
    sharedSandbox: t.sandbox,
    env: { SWEEP_INTERVAL_SECONDS: '0' },
  });
  cleanups.push(() => again.close());
  const events = (await again.app.services.store.readStream(orderStream(order.orderId))).map(
    (e) => e.type,
  );
  expect(events).toContain('CheckoutExpired');
  const nextEvents = await again.app.services.store.readStream(orderStream(next.orderId));
  expect(nextEvents.map((e) => e.type)).not.toContain('CheckoutExpired');
  expect(stripeCalls.filter((c) => c.at > closedAt).map((c) => c.line)).toEqual([]);
}, 30_000);
