import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { availableOf, checkout, countOf } from '../support/orders';
import { deliver, paidUnheard, secondServer } from '../support/webhooks';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Pays with webhooks held back, and returns the order and its completed event, not yet delivered. */
async function paidWithoutWebhook(sku = 'BAGGIO-1994') {
  const order = await checkout(t, [{ sku, quantity: 1 }]);
  return { order, ...(await paidUnheard(t, order)) };
}

describe('a payment is recorded exactly once', () => {
  it('50 concurrent deliveries of one Stripe event -> one PaymentCompleted', async () => {
    const { order, payload } = await paidWithoutWebhook();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => deliver(t, t.url, payload)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
  });

  it('the sandbox duplicating and reordering deliveries changes nothing', async () => {
    t.sandbox.setDelivery({ duplicates: 5, reorder: true });
    try {
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
      await t.sandbox.pay(order.sessionId);
      t.sandbox.sendEvent('checkout.session.async_payment_succeeded', order.sessionId);
      t.sandbox.flush();
      await t.sandbox.idle();
      expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
    } finally {
      t.sandbox.setDelivery({ duplicates: 1, reorder: false });
    }
  });

  it('completed and async_payment_succeeded for one order -> one payment', async () => {
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    await t.sandbox.pay(order.sessionId);
    await t.sandbox.idle();
    t.sandbox.sendEvent('checkout.session.async_payment_succeeded', order.sessionId);
    await t.sandbox.idle();
    expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
  });

  it('two server processes sharing one store, 25 deliveries each -> one PaymentCompleted', async () => {
    const other = await secondServer(t);
    try {
      const { order, payload } = await paidWithoutWebhook();
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => deliver(t, i % 2 ? other.url : t.url, payload)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it('deliveries repeated after a restart add nothing', async () => {
    const { order, event, payload } = await paidWithoutWebhook();
    expect((await deliver(t, t.url, payload)).status).toBe(200);
    const sandbox = t.sandbox;
    await t.app.close();
    t = await startTestApp({ dataDir: t.dataDir, sharedSandbox: sandbox });
    expect((await deliver(t, t.url, payload)).status).toBe(200);
    t.sandbox.resend(event.id);
    await t.sandbox.idle();
    expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
  });
});

describe('stock can never be oversold', () => {
  it('20 concurrent checkouts for the last 3 units -> exactly 3 reserved, the rest refused', async () => {
    await t.admin.admin.listProduct.mutate({
      sku: 'LAST-THREE',
      name: 'Last three',
      unitAmount: 1000,
      currency: 'eur',
      stock: 3,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => checkout(t, [{ sku: 'LAST-THREE', quantity: 1 }])),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(3);
    for (const { reason } of lost) {
      expect(reason.data.code).toBe('BAD_REQUEST');
      expect(['sold_out', 'insufficient_stock']).toContain(reason.data.problems[0].code);
    }
    expect(await availableOf(t, 'LAST-THREE')).toBe(0);
  });
});
