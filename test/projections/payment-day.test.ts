/**
 * "Sales are booked on the day of the payment" (projections/README.md).
 * Stripe retries a webhook it could not deliver for up to three days: the day a payment is
 * booked on must be the day the shopper paid, not the day the server happened to hear of it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogEntry, movableClock, startTestApp, type TestApp } from '../support/app';
import { checkout } from '../support/orders';

const DAY_MS = 86_400_000;
const clock = movableClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: clock.now, catalog: [catalogEntry('DAY-A', 10)] });
});
afterAll(async () => {
  await t?.close();
});

it('books a payment whose webhook came a day late on the day it was paid', async () => {
  const order = await checkout(t, [{ sku: 'DAY-A', quantity: 2 }], 'late-hook@example.com');
  // The endpoint was down: Stripe keeps the event and delivers it on a retry, a day later.
  t.sandbox.setDelivery({ reorder: true });
  await t.sandbox.pay(order.sessionId);
  const completed = t.sandbox
    .events()
    .find((e) => e.type === 'checkout.session.completed' && e.data.object.id === order.sessionId)!;
  const paidOn = new Date(completed.created * 1000).toISOString().slice(0, 10);

  clock.later(t, DAY_MS);
  t.sandbox.setDelivery({ reorder: false });
  t.sandbox.flush();
  await t.sandbox.idle();
  await expect
    .poll(
      async () => (await t.admin.analytics.orders.query({ email: 'late-hook' })).orders[0]?.status,
    )
    .toBe('paid');

  const sales = await t.admin.analytics.sales.query({});
  expect(sales.days.map((d) => ({ day: d.day, revenue: d.revenue }))).toEqual([
    { day: paidOn, revenue: 2000 },
  ]);
  const [row] = (await t.admin.analytics.orders.query({ email: 'late-hook' })).orders;
  expect(row!.paidAt!.slice(0, 10)).toBe(paidOn);
});
