/**
 * Answers and notices that arrive after the order has moved on: a double click's Stripe
 * answer held until the shopper had paid on the other request's page, and an "expired"
 * notice for a session Stripe calls complete (a debit settling).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp } from '../support/app';
import { gate } from '../support/gate';
import { checkout, orderEvents, RETURN_URL, sessionIdOf } from '../support/orders';
import { deliver } from '../support/webhooks';

const SKU = 'STALE';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [catalogEntry(SKU, 100)] });
});
afterAll(async () => {
  await t?.close();
});

const typesOf = async (orderId: string) =>
  (await orderEvents(t.app.services.store, orderId)).map((e) => e.type);
const holdOf = async (orderId: string) =>
  (await t.app.services.products.state(SKU)).holds.get(orderId);

it("a double click whose Stripe answer comes after the shopper paid on the other's page: sent to the order, not a finished Stripe page", async () => {
  const stripe = t.app.services.stripe;
  const original = stripe.createCheckoutSession;
  const held = gate();
  const atStripe = gate();
  let calls = 0;
  stripe.createCheckoutSession = async (request) => {
    const session = await original.call(stripe, request);
    if (++calls === 1) {
      atStripe.open();
      await held.opened;
    }
    return session;
  };
  const input = {
    checkoutId: crypto.randomUUID(),
    items: [{ sku: SKU, quantity: 2 }],
    email: 'double-paid@example.com',
    returnUrl: RETURN_URL,
  };
  try {
    const slow = t.client.checkout.start.mutate(input);
    await atStripe.opened;
    const fast = await t.client.checkout.start.mutate(input);
    await t.sandbox.pay(sessionIdOf(fast.checkoutUrl));
    await expect.poll(() => typesOf(fast.orderId)).toContain('PaymentCompleted');
    held.open();
    const late = await slow;

    expect(late.orderId).toBe(fast.orderId);
    expect(new URL(late.checkoutUrl).origin).toBe(new URL(RETURN_URL).origin);
    expect(new URL(late.checkoutUrl).searchParams.get('stripe_cart')).toBe('success');
    expect(await typesOf(fast.orderId)).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'PaymentCompleted',
    ]);
    expect(await holdOf(fast.orderId)).toBe(2);
  } finally {
    held.open();
    stripe.createCheckoutSession = original;
  }
});

it('an "expired" notice for a session Stripe calls complete (a debit settling) ends nothing', async () => {
  const order = await checkout(t, [{ sku: SKU, quantity: 1 }], 'settling@example.com');
  // Delivered by hand, in the order this test chooses.
  t.sandbox.setWebhookUrl(undefined);
  try {
    await t.sandbox.pay(order.sessionId, { iban: 'DE89370400440532013000' });
    const completed = t.sandbox.events().findLast((e) => e.type === 'checkout.session.completed')!;
    const expired = t.sandbox.sendEvent('checkout.session.expired', order.sessionId);
    expect(expired.data.object.status).toBe('complete');
    for (const event of [completed, expired]) {
      expect((await deliver(t, t.url, JSON.stringify(event))).status).toBe(200);
    }
    await t.app.services.afterReply.settled();
    expect(await typesOf(order.orderId)).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'PaymentPending',
    ]);
    expect(await holdOf(order.orderId)).toBe(1);
  } finally {
    await t.sandbox.idle();
    t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
  }
});
