import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { freePort } from '../support/free-port';
import { availableOf, checkout, countOf } from '../support/orders';
import { startServerProcess } from '../support/server-process';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Signs a payload exactly as Stripe does, with the sandbox's webhook secret. */
function signed(payload: string) {
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: t.sandbox.webhookSecret,
  });
  return { 'content-type': 'application/json', 'stripe-signature': signature };
}

function deliver(url: string, payload: string) {
  return fetch(`${url}/webhooks/stripe`, {
    method: 'POST',
    headers: signed(payload),
    body: payload,
  });
}

/** Pays with webhooks held back, and returns the signed-able completed event. */
async function paidWithoutWebhook(sku = 'BAGGIO-1994') {
  t.sandbox.setWebhookUrl(undefined);
  try {
    const order = await checkout(t, [{ sku, quantity: 1 }]);
    await t.sandbox.pay(order.sessionId);
    const event = t.sandbox.events().findLast((e) => e.type === 'checkout.session.completed')!;
    return { order, event, payload: JSON.stringify(event) };
  } finally {
    t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
  }
}

describe('a payment is recorded exactly once', () => {
  it('50 concurrent deliveries of one Stripe event -> one PaymentCompleted', async () => {
    const { order, payload } = await paidWithoutWebhook();
    const responses = await Promise.all(Array.from({ length: 50 }, () => deliver(t.url, payload)));
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
    const port = await freePort();
    const other = await startServerProcess({
      PORT: String(port),
      DATA_DIR: t.dataDir,
      STRIPE_SECRET_KEY: t.sandbox.secretKey,
      STRIPE_WEBHOOK_SECRET: t.sandbox.webhookSecret,
      STRIPE_API_URL: t.sandbox.url,
      ALLOWED_ORIGINS: 'http://shop.test',
      SQLITE_SYNCHRONOUS: 'NORMAL',
      ...(process.env.TEST_EVENTSTORE_URL && { EVENTSTORE_URL: process.env.TEST_EVENTSTORE_URL }),
      ...(process.env.TEST_SQLITE_WRITER_THREAD && {
        SQLITE_WRITER_THREAD: process.env.TEST_SQLITE_WRITER_THREAD,
      }),
    });
    try {
      const { order, payload } = await paidWithoutWebhook();
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => deliver(i % 2 ? other.url : t.url, payload)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it('deliveries repeated after a restart add nothing', async () => {
    const { order, event, payload } = await paidWithoutWebhook();
    expect((await deliver(t.url, payload)).status).toBe(200);
    const sandbox = t.sandbox;
    await t.app.close();
    t = await startTestApp({ dataDir: t.dataDir, sharedSandbox: sandbox });
    expect((await deliver(t.url, payload)).status).toBe(200);
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
