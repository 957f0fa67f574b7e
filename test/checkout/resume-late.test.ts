/**
 * A checkout whose first request stopped (the process died) and that is asked for again
 * minutes later, when the Stripe session's expiry fixed with its cart is less than Stripe's
 * 30 minutes away: a session Stripe made is still handed out (Stripe replays it); one it never
 * made cannot be, so the checkout is closed, its stock given back, and the caller told to
 * start a new one (CONFLICT, which the widget answers by starting one at once).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCheckout } from '../../server/checkout/start-checkout';
import { orderIdFor } from '../../server/domain/ids';
import type { StripeGateway } from '../../server/payments/stripe-gateway';
import type { TestApp } from '../support/app';
import { catalogEntry, movableClock, startTestApp } from '../support/app';
import { availableOf, orderEvents, RETURN_URL } from '../support/orders';

const SKU = 'RESUME-LATE';
let t: TestApp;
const clock = movableClock();
const later = (ms: number) => clock.later(t, ms);
beforeAll(async () => {
  t = await startTestApp({
    catalog: [catalogEntry(SKU, 5)],
    now: clock.now,
  });
});
afterAll(async () => {
  await t?.close();
});

const inputFor = (email: string) => ({
  checkoutId: randomUUID(),
  items: [{ sku: SKU, quantity: 2 }],
  email,
  returnUrl: RETURN_URL,
});

/** Runs the first request through a gateway that dies where `die` says; rejects with it. */
async function firstRequestDies(
  input: ReturnType<typeof inputFor>,
  createCheckoutSession: StripeGateway['createCheckoutSession'],
): Promise<void> {
  const { services } = t.app;
  const stripe = Object.assign(Object.create(services.stripe), { createCheckoutSession });
  await expect(
    startCheckout(
      { ...services, publicUrl: services.config.publicUrl, stripe },
      { ...input, client: '127.0.0.1' },
    ),
  ).rejects.toThrow('SIGKILL');
}

it('one whose first request died before Stripe is closed, its stock given back, and the caller told to start anew', async () => {
  const input = inputFor('late-before@example.com');
  await firstRequestDies(input, async () => {
    throw new Error('SIGKILL');
  });
  const orderId = orderIdFor(input.checkoutId);
  expect(await availableOf(t, SKU)).toBe(3);

  later(2 * 60_000);
  await expect(t.client.checkout.start.mutate(input)).rejects.toMatchObject({
    data: { code: 'CONFLICT' },
    message: 'This checkout was left unfinished too long to resume; please start a new one',
  });
  await t.app.services.afterReply.settled();
  expect((await orderEvents(t.app.services.store, orderId)).map((e) => e.type)).toEqual([
    'CartValidated',
    'CheckoutFailed',
  ]);
  expect(await availableOf(t, SKU)).toBe(5);
  expect(t.sandbox.sessions().filter((s) => s.client_reference_id === orderId)).toEqual([]);

  // Asked again, the same: and a new checkoutId starts at once.
  await expect(t.client.checkout.start.mutate(input)).rejects.toMatchObject({
    data: { code: 'CONFLICT' },
  });
  const fresh = await t.client.checkout.start.mutate({ ...input, checkoutId: randomUUID() });
  expect(fresh.checkoutUrl).toContain('/pay/cs_');
  expect(await availableOf(t, SKU)).toBe(3);
});

it('one whose first request died after Stripe made the session is still handed that session', async () => {
  const input = inputFor('late-after@example.com');
  const { stripe } = t.app.services;
  let made = '';
  await firstRequestDies(input, async (request) => {
    made = (await stripe.createCheckoutSession(request)).id;
    throw new Error('SIGKILL');
  });

  later(2 * 60_000);
  const resumed = await t.client.checkout.start.mutate(input);
  expect(resumed.checkoutUrl).toContain(made);
  const orderId = orderIdFor(input.checkoutId);
  expect((await orderEvents(t.app.services.store, orderId)).map((e) => e.type)).toEqual([
    'CartValidated',
    'CheckoutStarted',
  ]);
});
