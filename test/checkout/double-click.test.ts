/**
 * Two requests for one checkoutId (a double click, two tabs, or the widget's retry after a
 * dropped connection): one held between reading the order and reserving its stock while the
 * other's checkout ends must give back the units it took again, and never hand out a session
 * nobody may pay; one that fails while the other got further must not give back the units of
 * an order that is live or paid.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductCommand } from '../../server/catalog/product';
import type { Products } from '../../server/catalog/products';
import { CheckoutClosedError, startCheckout } from '../../server/checkout/start-checkout';
import { orderIdFor } from '../../server/domain/ids';
import type { EventMetadata } from '../../server/eventstore/port';
import { StripeBusyError, StripeUnavailableError } from '../../server/payments/stripe-gateway';
import { readReturn } from '../../widget/state/return';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp, testCatalog } from '../support/app';
import { gate } from '../support/gate';
import { availableOf, checkout, orderEvents, RETURN_URL, sessionIdOf } from '../support/orders';

const CANCELLED = 'DOUBLE-CANCELLED';
const FAILED = 'DOUBLE-FAILED';
const PAID = 'DOUBLE-PAID';
const PLENTY = 'DOUBLE-PLENTY';
const LAST = 'DOUBLE-LAST';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    catalog: [
      ...testCatalog,
      catalogEntry(CANCELLED, 2),
      catalogEntry(FAILED, 2),
      catalogEntry(PAID, 2),
      catalogEntry(PLENTY, 5),
      catalogEntry(LAST, 1),
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

const inputFor = (sku: string) => ({
  checkoutId: randomUUID(),
  items: [{ sku, quantity: 2 }],
  email: 'double@example.com',
  returnUrl: RETURN_URL,
  client: '127.0.0.1',
});

/** The first request, held at Stripe until `go`; `stripe` answers it then. */
function firstRequest(
  input: ReturnType<typeof inputFor>,
  createSession: (request: never) => Promise<unknown>,
) {
  const { services } = t.app;
  const atStripe = gate();
  const go = gate();
  const stripe = Object.assign(Object.create(services.stripe), {
    createCheckoutSession: async (request: never) => {
      atStripe.open();
      await go.opened;
      return createSession(request);
    },
  });
  const result = startCheckout(
    { ...services, publicUrl: services.config.publicUrl, stripe },
    input,
  );
  return { atStripe: atStripe.opened, go: go.open, result };
}

/** The second request, held after reading the order (still validated) until `go`. */
function secondRequest(input: ReturnType<typeof inputFor>, stripe = t.app.services.stripe) {
  const { services } = t.app;
  const reserving = gate();
  const go = gate();
  const products = {
    execute: async (command: ProductCommand, metadata: EventMetadata) => {
      if (command.type === 'ReserveStock') {
        reserving.open();
        await go.opened;
      }
      return services.products.execute(command, metadata);
    },
    states: (skus: Iterable<string>) => services.products.states(skus),
    state: (sku: string) => services.products.state(sku),
  } as unknown as Products;
  const result = startCheckout(
    { ...services, publicUrl: services.config.publicUrl, products, stripe },
    input,
  ).catch((error: unknown) => error);
  return { reserving: reserving.opened, go: go.open, result };
}

describe('a double click', () => {
  it('racing a cancel leaves no stock held and hands out no cancelled session', async () => {
    const input = inputFor(CANCELLED);
    const stripe = t.app.services.stripe;
    const first = firstRequest(input, (request) => stripe.createCheckoutSession(request));
    await first.atStripe;
    const second = secondRequest(input);
    await second.reserving;
    first.go();
    const { orderId } = await first.result;
    expect(await t.client.order.cancel.mutate({ orderId })).toEqual({ status: 'expired' });
    expect(await availableOf(t, CANCELLED)).toBe(2);

    second.go();
    expect(await second.result).toBeInstanceOf(CheckoutClosedError);
    await t.app.services.afterReply.settled();
    expect(await availableOf(t, CANCELLED)).toBe(2);
    expect((await orderEvents(t.app.services.store, orderId)).map((e) => e.type)).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'CheckoutExpired',
    ]);
  });

  it('racing a checkout that failed at Stripe leaves no stock held', async () => {
    const input = inputFor(FAILED);
    const first = firstRequest(input, async () => {
      throw new StripeUnavailableError('Stripe unavailable: timed out');
    });
    await first.atStripe;
    // Stripe answers the second one 409: the first is still in progress under the same key.
    const busy = Object.assign(Object.create(t.app.services.stripe), {
      createCheckoutSession: async () => {
        throw new StripeBusyError('Stripe busy: a request with this key is in progress');
      },
    });
    const second = secondRequest(input, busy);
    await second.reserving;
    first.go();
    await expect(first.result).rejects.toThrow('could not be reached');
    expect(await availableOf(t, FAILED)).toBe(2);

    second.go();
    expect(await second.result).toBeInstanceOf(CheckoutClosedError);
    expect(await availableOf(t, FAILED)).toBe(2);
    const orderId = orderIdFor(input.checkoutId);
    expect((await orderEvents(t.app.services.store, orderId)).map((e) => e.type)).toEqual([
      'CartValidated',
      'CheckoutFailed',
    ]);
  });

  it('failing at Stripe after the other request got its session paid keeps the sold units and answers with the paid order', async () => {
    const input = inputFor(PAID);
    const first = firstRequest(input, async () => {
      throw new StripeUnavailableError('Stripe unavailable: timed out');
    });
    await first.atStripe;
    const second = secondRequest(input);
    second.go();
    const started = await second.result;
    const { orderId, checkoutUrl } = started as { orderId: string; checkoutUrl: string };
    await t.sandbox.pay(sessionIdOf(checkoutUrl));
    await expect
      .poll(async () => (await orderEvents(t.app.services.store, orderId)).map((e) => e.type))
      .toContain('PaymentCompleted');

    first.go();
    // Answered with the page showing the paid order, not with a second way to pay.
    const answer = (await first.result) as { orderId: string; checkoutUrl: string };
    expect(answer.orderId).toBe(orderId);
    expect(readReturn(answer.checkoutUrl)).toMatchObject({ outcome: 'success', orderId });
    await t.app.services.afterReply.settled();
    expect((await t.app.services.products.state(PAID)).holds.get(orderId)).toBe(2);
    expect(await availableOf(t, PAID)).toBe(0);
  });

  it('running out of stock while the other request started the checkout answers with that checkout', async () => {
    const { services } = t.app;
    const input = {
      ...inputFor(LAST),
      items: [
        { sku: PLENTY, quantity: 1 },
        { sku: LAST, quantity: 1 },
      ],
    };
    let second: unknown;
    // Another shopper takes the last unit before this request reserves it; once this
    // request has found it gone, that shopper cancels and the double click's second request
    // reserves both lines and starts the checkout.
    const products = {
      execute: async (command: ProductCommand, metadata: EventMetadata) => {
        if (command.type !== 'ReserveStock' || command.sku !== LAST || second)
          return services.products.execute(command, metadata);
        const other = await checkout(t, [{ sku: LAST, quantity: 1 }], 'other@example.com');
        try {
          return await services.products.execute(command, metadata);
        } finally {
          await t.client.order.cancel.mutate({ orderId: other.orderId });
          second = await startCheckout(
            { ...services, publicUrl: services.config.publicUrl },
            input,
          );
        }
      },
      states: (skus: Iterable<string>) => services.products.states(skus),
      state: (sku: string) => services.products.state(sku),
    } as unknown as Products;

    const first = await startCheckout(
      { ...services, publicUrl: services.config.publicUrl, products },
      input,
    );
    expect(first).toEqual(second);
    const orderId = orderIdFor(input.checkoutId);
    expect((await orderEvents(services.store, orderId)).map((e) => e.type)).toEqual([
      'CartValidated',
      'CheckoutStarted',
    ]);
    await services.afterReply.settled();
    // The live order still holds both its units: the last one is not for sale again.
    expect((await services.products.state(LAST)).holds.get(orderId)).toBe(1);
    expect((await services.products.state(PLENTY)).holds.get(orderId)).toBe(1);
    expect(await availableOf(t, LAST)).toBe(0);
  });
});
