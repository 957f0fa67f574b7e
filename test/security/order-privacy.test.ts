/**
 * An order id travels in the return URL (history, Referer, the site's analytics), so whoever
 * holds one sees the order's status, lines and totals, but not the shopper's full email,
 * the payment page or Stripe's ids, and cannot make the server call Stripe at will.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { checkout } from '../support/orders';

let t: TestApp;
const stripeCalls: string[] = [];
/** The server's clock, held still unless a test moves it. */
let clock = Date.now();
beforeAll(async () => {
  t = await startTestApp({
    sandbox: { log: (line) => stripeCalls.push(line) },
    now: () => new Date(clock),
  });
});
afterAll(async () => {
  await t?.close();
});

it('shows the holder of an order id no email, payment page or Stripe ids', async () => {
  const order = await checkout(
    t,
    [{ sku: 'BAGGIO-1994', quantity: 1 }],
    'private.person@example.com',
  );
  const view = await t.client.order.get.query({ orderId: order.orderId });
  expect(view).toMatchObject({
    status: 'checkout_started',
    email: 'p***@example.com',
    sessionId: null,
  });
  expect(view).not.toHaveProperty('checkoutUrl');
  expect(view).not.toHaveProperty('paymentIntentId');
  expect(JSON.stringify(view)).not.toContain('private.person');

  const proven = await t.client.order.get.query({
    orderId: order.orderId,
    sessionId: order.sessionId,
  });
  expect(proven.sessionId).toBe(order.sessionId);

  const watched = await new Promise<unknown>((resolve, reject) => {
    const subscription = t.client.order.watch.subscribe(
      { orderId: order.orderId },
      {
        onData: (tracked) => {
          subscription.unsubscribe();
          resolve(tracked.data);
        },
        onError: reject,
      },
    );
  });
  expect(watched).toMatchObject({ email: 'p***@example.com', sessionId: null });
  expect(watched).not.toHaveProperty('checkoutUrl');
});

it('asks Stripe about an order at most once in a few seconds, however often the page reloads', async () => {
  const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
  const asked = () =>
    stripeCalls.filter((line) => line.startsWith(`GET /v1/checkout/sessions/${order.sessionId}`))
      .length;
  for (let i = 0; i < 10; i++) {
    await t.client.order.get.query({ orderId: order.orderId, sessionId: order.sessionId });
  }
  expect(asked()).toBe(1);
});

type Order = Awaited<ReturnType<typeof checkout>>;

it('asks Stripe for one client 5 times at once, then once a second, however many orders it holds', async () => {
  // A server of its own, whose budget the tests above have not touched.
  const fresh = await startTestApp({
    sandbox: { log: (line) => stripeCalls.push(line) },
    now: () => new Date(clock),
  });
  try {
    const orders: Order[] = [];
    for (let i = 0; i < 8; i++)
      orders.push(await checkout(fresh, [{ sku: 'BAGGIO-1994', quantity: 1 }]));
    const asked = () =>
      stripeCalls.filter((line) =>
        orders.some((order) => line.startsWith(`GET /v1/checkout/sessions/${order.sessionId}`)),
      ).length;
    const successPage = (order: Order) =>
      fresh.client.order.get.query({ orderId: order.orderId, sessionId: order.sessionId });

    for (const order of orders) {
      // Beyond its share, the shopper sees the status the server has: the webhook still comes.
      expect(await successPage(order)).toMatchObject({ status: 'checkout_started' });
    }
    expect(asked()).toBe(5);

    clock += 2_000;
    for (const order of orders.slice(5)) await successPage(order);
    expect(asked()).toBe(7);
  } finally {
    await fresh.close();
  }
});
