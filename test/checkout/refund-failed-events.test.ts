/**
 * Which event says a refund failed. `charge.refund.updated` is sent for some payment methods
 * only; since API 2024-10-28 Stripe sends `refund.updated` and `refund.failed` for every
 * refund (the version the stripe package here calls with). Either takes a recorded refund back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp, testCatalog } from '../support/app';
import { orderEvents, paidOrder } from '../support/orders';
import { deliver } from '../support/webhooks';

const SKU = 'REFUND-FAILED-EVENT';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [...testCatalog, catalogEntry(SKU, 5)] });
});
afterAll(async () => {
  await t?.close();
});

describe('a refund failure told by the events of current API versions', () => {
  for (const type of ['refund.failed', 'refund.updated']) {
    it(`takes back a recorded refund on ${type}`, async () => {
      const order = await paidOrder(t, [{ sku: SKU, quantity: 1 }], 'failed-event@example.com');
      const refund = await t.sandbox.refund(order.sessionId, 400);
      await t.sandbox.idle();
      // The bank fails it; the 2020-08-27 notice (charge.refund.updated) is not what this
      // endpoint gets.
      t.sandbox.setWebhookUrl(undefined);
      let failed: Awaited<ReturnType<typeof t.sandbox.failRefund>>;
      try {
        failed = await t.sandbox.failRefund(refund.id);
      } finally {
        t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
      }
      const event = JSON.stringify({
        id: `evt_test_${Math.random().toString(36).slice(2)}`,
        object: 'event',
        api_version: '2026-10-28.endive',
        type,
        created: Math.floor(Date.now() / 1000),
        data: { object: failed, previous_attributes: { status: 'succeeded' } },
      });
      const answer = await deliver(t, t.url, event);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ received: true, recorded: ['RefundFailed'] });
      const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
      expect(types.filter((type) => type === 'RefundFailed')).toHaveLength(1);
    });
  }
});
