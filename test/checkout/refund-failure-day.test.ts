/**
 * The day a refund's failure counts on. Stripe delivers events out of order and retries a
 * refused one for days, so an older notice (a charge.refunded of an earlier refund, still
 * being retried) can be the one that finds a failure: it is then dated when heard, never by
 * that notice's own time, nor before the refund was made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEventObject } from '../../demo/sandbox';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp, testCatalog } from '../support/app';
import { orderEvents, paidOrder } from '../support/orders';
import { deliver } from '../support/webhooks';

const SKU = 'STALE-NOTICE';
const DAY = 24 * 60 * 60 * 1000;
let t: TestApp;
/** The server's clock moves with the sandbox's, as both follow the real one. */
let offsetMs = 0;
const advance = (ms: number) => {
  t.sandbox.advanceClock(ms, { expireDue: false });
  offsetMs += ms;
};
beforeAll(async () => {
  t = await startTestApp({
    catalog: [...testCatalog, catalogEntry(SKU, 5)],
    now: () => new Date(Date.now() + offsetMs),
  });
});
afterAll(async () => {
  await t?.close();
});

const isoDay = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** Runs `act` with Stripe's deliveries held back; returns the events it made. */
async function unheard(act: () => Promise<unknown>): Promise<StripeEventObject[]> {
  const before = t.sandbox.events().length;
  t.sandbox.setWebhookUrl(undefined);
  try {
    await act();
  } finally {
    t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
  }
  return t.sandbox.events().slice(before);
}

describe('a refund failure found by an older notice', () => {
  it('is counted on the day it failed, never before the refund was made', async () => {
    const order = await paidOrder(t, [{ sku: SKU, quantity: 1 }], 'stale@example.com');
    await expect
      .poll(async () => (await t.client.order.get.query({ orderId: order.orderId })).status)
      .toBe('paid');

    // Day 0: a first refund, whose charge.refunded the server has not taken yet (a 503, say:
    // Stripe retries it for up to three days).
    const [first] = (await unheard(() => t.sandbox.refund(order.sessionId, 100))).filter(
      (e) => e.type === 'charge.refunded',
    );
    // Day 1: a second refund, heard of: both are recorded.
    advance(DAY);
    const second = await t.sandbox.refund(order.sessionId, 300);
    await t.sandbox.idle();
    // Day 3: the bank cannot take the second one; its notice is on its way.
    advance(2 * DAY);
    const [failure] = (await unheard(() => t.sandbox.failRefund(second.id))).filter(
      (e) => e.type === 'charge.refund.updated',
    );
    // Stripe's retry of the day-0 notice comes first, then the failure's own notice.
    expect((await deliver(t, t.url, JSON.stringify(first))).status).toBe(200);
    expect((await deliver(t, t.url, JSON.stringify(failure))).status).toBe(200);

    const events = await orderEvents(t.app.services.store, order.orderId);
    const refunded = events.find(
      (e) =>
        e.type === 'PaymentRefunded' && (e.data as { refundId: string }).refundId === second.id,
    )!.data as { refundedAt: string };
    const failed = events.find((e) => e.type === 'RefundFailed')!.data as { failedAt: string };

    // The figures: day 0 had the first refund only (100), day 3 takes the second back.
    await expect
      .poll(async () => {
        const { orders } = await t.admin.analytics.orders.query({ email: 'stale@' });
        return orders.find((o) => o.orderId === order.orderId)?.refunded;
      })
      .toBe(100);
    const { days } = await t.admin.analytics.sales.query({});
    const refundedOn = (day: string) => days.find((d) => d.day === day)?.refunded ?? 0;

    // On the day Stripe says it failed (day 3), never before the refund it takes back was
    // made (day 1); here it is booked on day 0, the day of the notice that found it.
    expect({
      failedOn: failed.failedAt.slice(0, 10),
      beforeItsRefund: failed.failedAt < refunded.refundedAt,
      refundedOnDay0: refundedOn(isoDay(first!.created)),
    }).toEqual({
      failedOn: isoDay(failure!.created),
      beforeItsRefund: false,
      refundedOnDay0: 100,
    });
  });
});
