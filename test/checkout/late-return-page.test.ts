/**
 * A payment made as its order was recorded expired (a late payment), seen first on the
 * shopper's return page: `order.get` with the session id asks Stripe as it does for an open
 * checkout, so the page shows the payment (and its units are taken back) before the webhook
 * comes, rather than telling the shopper that nothing was charged.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp } from '../support/app';
import { availableOf, checkout } from '../support/orders';
import { paidUnheard } from '../support/webhooks';

const SKU = 'LATE-SUCCESS';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [catalogEntry(SKU, 5)] });
});
afterAll(async () => {
  await t?.close();
});

it('the return page of a late payment shows it paid and takes its units back, before the webhook', async () => {
  const order = await checkout(t, [{ sku: SKU, quantity: 2 }], 'late-return@example.com');
  // The order is recorded expired and its units given back while the shopper is paying.
  t.sandbox.sendEvent('checkout.session.expired', order.sessionId);
  await t.sandbox.idle();
  await t.app.services.afterReply.settled();
  expect((await t.client.order.get.query({ orderId: order.orderId })).status).toBe('expired');
  expect(await availableOf(t, SKU)).toBe(5);

  // The payment goes through at Stripe; its webhook has not arrived yet.
  await paidUnheard(t, order);
  expect(t.sandbox.session(order.sessionId)?.payment_status).toBe('paid');

  // The shopper lands on the success page, which brings the session id.
  const view = await t.client.order.get.query({
    orderId: order.orderId,
    sessionId: order.sessionId,
  });
  await t.app.services.afterReply.settled();
  expect({ status: view.status, late: view.flags.late }).toEqual({ status: 'paid', late: true });
  expect(await availableOf(t, SKU)).toBe(3);
});
