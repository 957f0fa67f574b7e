/**
 * Signed but odd `charge.refund.updated` bodies are never answered 5xx (Stripe retries a 5xx
 * for three days, then disables the endpoint) and never append: a charge id longer than
 * Stripe's ids can be (its spec: at most 5000 characters) is malformed, not sent to Stripe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp, testCatalog } from '../support/app';
import { orderEvents, paidOrder } from '../support/orders';
import { deliver } from '../support/webhooks';

const SKU = 'ODD-REFUND';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [...testCatalog, catalogEntry(SKU, 5)] });
});
afterAll(async () => {
  await t?.close();
});

describe('odd charge.refund.updated bodies', () => {
  it('answers a refund whose charge id no Stripe id can be 4xx or 200 ignored, never 5xx', async () => {
    const order = await paidOrder(t, [{ sku: SKU, quantity: 1 }], 'odd@example.com');
    const refund = await t.sandbox.refund(order.sessionId, 300);
    await t.sandbox.idle();
    const before = (await orderEvents(t.app.services.store, order.orderId)).length;
    const notice = (charge: unknown) =>
      JSON.stringify({
        id: `evt_test_${Math.random().toString(36).slice(2)}`,
        object: 'event',
        type: 'charge.refund.updated',
        created: Math.floor(Date.now() / 1000),
        data: { object: { ...refund, status: 'failed', charge } },
      });

    const answers: Record<string, number> = {};
    for (const [name, charge] of Object.entries({
      'an id of 20 000 characters': `ch_${'x'.repeat(20_000)}`,
      'an object with such an id': { id: `ch_${'x'.repeat(20_000)}` },
    })) {
      answers[name] = (await deliver(t, t.url, notice(charge))).status;
    }
    expect(answers).toEqual({
      'an id of 20 000 characters': expect.toSatisfy((s: number) => s < 500),
      'an object with such an id': expect.toSatisfy((s: number) => s < 500),
    });
    expect((await orderEvents(t.app.services.store, order.orderId)).length).toBe(before);
  });
});
