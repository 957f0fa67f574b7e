/**
 * Two partial refunds made on different UTC days, whose notices reach the server in the other
 * order (the first one's delivery failed and was retried after the second's): each is
 * recorded once, with its own amount, and counted on the day Stripe made it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp } from '../support/app';
import { orderEvents, paidOrder } from '../support/orders';
import { deliver } from '../support/webhooks';

const SKU = 'REVIEW-REFUND-DAYS';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [catalogEntry(SKU, 20)] });
});
afterAll(async () => {
  await t?.close();
});

const DAY_MS = 24 * 60 * 60 * 1000;

describe('refunds made on two days, heard in the other order', () => {
  it('counts each refund on the UTC day Stripe made it, whatever order the notices arrive in', async () => {
    const order = await paidOrder(t, [{ sku: SKU, quantity: 3 }], 'days@example.com');
    await expect
      .poll(async () => (await t.client.order.get.query({ orderId: order.orderId })).status)
      .toBe('paid');

    t.sandbox.setWebhookUrl(undefined);
    try {
      await t.sandbox.refund(order.sessionId, 1000);
      // The next refund is made the next day on Stripe's clock.
      t.sandbox.advanceClock(DAY_MS);
      await t.sandbox.refund(order.sessionId, 500);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
    const notices = t.sandbox.events().filter((e) => e.type === 'charge.refunded');
    expect(notices).toHaveLength(2);
    const [first, second] = notices;
    const dayOf = (created: number) => new Date(created * 1000).toISOString().slice(0, 10);
    const firstDay = dayOf(first!.created);
    const secondDay = dayOf(second!.created);
    expect(firstDay).not.toBe(secondDay);

    // The second refund's notice arrives first; the first's retry after it.
    expect((await deliver(t, t.url, JSON.stringify(second))).status).toBe(200);
    expect((await deliver(t, t.url, JSON.stringify(first))).status).toBe(200);

    const refunds = (await orderEvents(t.app.services.store, order.orderId)).filter(
      (e) => e.type === 'PaymentRefunded',
    );
    expect(refunds.reduce((sum, e) => sum + (e.data as { amount: number }).amount, 0)).toBe(1500);

    const refundedOn = async () =>
      Object.fromEntries(
        (await t.admin.analytics.sales.query({})).days
          .filter((d) => d.refunded > 0)
          .map((d) => [d.day, d.refunded]),
      );
    await expect.poll(refundedOn).toEqual({ [firstDay]: 1000, [secondDay]: 500 });
  });
});
