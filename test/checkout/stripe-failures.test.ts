import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductCommand } from '../../server/catalog/product';
import { type CheckoutDeps, startCheckout } from '../../server/checkout/start-checkout';
import { orderIdFor } from '../../server/domain/ids';
import { StripeUnavailableError } from '../../server/payments/stripe-gateway';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { availableOf, checkout, orderEvents, RETURN_URL } from '../support/orders';

let t: TestApp;
const stripeCalls: string[] = [];
beforeAll(async () => {
  t = await startTestApp({ sandbox: { log: (line) => stripeCalls.push(line) } });
});
afterAll(async () => {
  await t?.close();
});

async function failedCheckout(sku: string) {
  const before = await availableOf(t, sku);
  const error = await checkout(t, [{ sku, quantity: 2 }]).then(
    () => undefined,
    (e: { data?: { code?: string; httpStatus?: number }; message: string }) => e,
  );
  const recent = await t.app.services.store.readAll({ direction: 'backwards', maxCount: 50 });
  const orderId = recent.find((e) => e.type === 'CheckoutFailed')?.streamId.slice('order-'.length);
  return { before, error, orderId };
}

describe('Stripe refusing or unreachable during checkout.start', () => {
  it.each([
    // The gateway retries a network failure once, so a reset or a timeout is queued twice.
    // Not a 500: Stripe saved it for the idempotency key and says a retry would only replay it.
    ['a 500 from Stripe', 'http500' as const, 1, 'SERVICE_UNAVAILABLE', 'stripe_unreachable'],
    ['a connection reset', 'reset' as const, 2, 'SERVICE_UNAVAILABLE', 'stripe_unreachable'],
    ['a timeout', 'timeout' as const, 2, 'SERVICE_UNAVAILABLE', 'stripe_unreachable'],
    ['a refusal', 'card_error' as const, 1, 'BAD_GATEWAY', 'stripe_refused'],
  ])(
    '%s: a clear error, CheckoutFailed, stock released',
    async (_name, fault, count, code, reason) => {
      t.sandbox.failNext(fault, count);
      const { before, error, orderId } = await failedCheckout('BAGGIO-1994');
      expect(error?.data?.code).toBe(code);
      expect(error?.message).toMatch(/payment provider/);
      const events = await orderEvents(t.app.services.store, orderId!);
      expect(events.map((e) => e.type)).toEqual(['CartValidated', 'CheckoutFailed']);
      expect((events[1]!.data as { reason: string }).reason).toBe(reason);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
    },
  );

  it("a 500 fails that checkout at once and for good (Stripe saved it for the order's key); the shopper's next attempt gets a session", async () => {
    const input = {
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 2 }],
      email: 'try-again@example.com',
      returnUrl: RETURN_URL,
    };
    const before = await availableOf(t, 'BAGGIO-1994');
    const creates = () =>
      stripeCalls.filter((line) => line.startsWith('POST /v1/checkout/sessions ->')).length;
    const asked = creates();
    t.sandbox.failNext('http500', 1);
    const error = await t.client.checkout.start.mutate(input).then(
      () => undefined,
      (e: { data?: { code?: string }; message: string }) => e,
    );
    // A retry with the same key would only get the same 500, after the package's delay
    // (half a second or more): Stripe's Stripe-Should-Retry: false spares it.
    expect(creates() - asked).toBe(1);
    expect(error?.data?.code).toBe('SERVICE_UNAVAILABLE');
    expect(error?.message).toMatch(/could not be reached\. Please try again/);
    const failedOrder = orderIdFor(input.checkoutId);
    expect((await orderEvents(t.app.services.store, failedOrder)).map((e) => e.type)).toEqual([
      'CartValidated',
      'CheckoutFailed',
    ]);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
    expect(t.sandbox.sessions().some((s) => s.client_reference_id === failedOrder)).toBe(false);

    // Sent again, the same checkoutId is told to start anew; Stripe is not asked again.
    await expect(t.client.checkout.start.mutate(input)).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
    // The widget's next attempt sends a new checkoutId: a new order, so a new idempotency key.
    const next = await t.client.checkout.start.mutate({
      ...input,
      checkoutId: crypto.randomUUID(),
    });
    expect(next.orderId).not.toBe(failedOrder);
    expect((await t.client.order.get.query({ orderId: next.orderId })).status).toBe(
      'checkout_started',
    );
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
  });

  it('a response lost on the way back is retried with the same idempotency key: one session', async () => {
    t.sandbox.failNext('lost_response', 1);
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    expect(
      t.sandbox.sessions().filter((s) => s.client_reference_id === order.orderId),
    ).toHaveLength(1);
    expect((await t.client.order.get.query({ orderId: order.orderId })).status).toBe(
      'checkout_started',
    );
  });

  it("a second request while Stripe still creates the first one's session fails nothing and holds the stock once", async () => {
    const input = {
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 2 }],
      email: 'double-click@example.com',
      returnUrl: RETURN_URL,
    };
    const before = await availableOf(t, 'BAGGIO-1994');
    // Stripe answers the first create late; meanwhile the same key gets its 409 (in progress).
    t.sandbox.failNext('in_progress', 1);
    const [first, second] = await Promise.allSettled([
      t.client.checkout.start.mutate(input),
      t.client.checkout.start.mutate(input),
    ]);
    const answered = [first, second].filter((r) => r.status === 'fulfilled');
    const refused = [first, second].filter((r) => r.status === 'rejected');
    expect(answered).toHaveLength(1);
    expect(refused.map((r) => (r.reason as { data?: { code?: string } }).data?.code)).toEqual([
      'SERVICE_UNAVAILABLE',
    ]);
    const started = (
      answered[0] as PromiseFulfilledResult<{ orderId: string; checkoutUrl: string }>
    ).value;
    const types = (await orderEvents(t.app.services.store, started.orderId)).map((e) => e.type);
    expect(types).toEqual(['CartValidated', 'CheckoutStarted']);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
    // Asked again, the refused one gets the same checkout.
    expect(await t.client.checkout.start.mutate(input)).toEqual(started);
  });

  it('a second request that reserves after the first one failed and released leaves no stock held and no session open', async () => {
    const { services } = t.app;
    const gate = () => {
      let open!: () => void;
      return { opened: new Promise<void>((resolve) => (open = resolve)), open };
    };
    const firstAtStripe = gate();
    const secondReserving = gate();
    const firstReleased = gate();
    // Given: the first request's Stripe call fails while the second, which read the order
    // as validated, is about to reserve; the second reserves after the first released.
    const products = services.products;
    const first: CheckoutDeps = {
      ...services,
      publicUrl: services.config.publicUrl,
      products: Object.assign(Object.create(products), {
        execute: async (command: ProductCommand, metadata: never) => {
          const done = await products.execute(command, metadata);
          if (command.type === 'ReleaseStock') firstReleased.open();
          return done;
        },
      }),
      stripe: Object.assign(Object.create(services.stripe), {
        createCheckoutSession: async () => {
          firstAtStripe.open();
          await secondReserving.opened;
          throw new StripeUnavailableError('Stripe unavailable: timed out');
        },
      }),
    };
    const second: CheckoutDeps = {
      ...first,
      stripe: services.stripe,
      products: Object.assign(Object.create(products), {
        execute: async (command: ProductCommand, metadata: never) => {
          if (command.type === 'ReserveStock') {
            secondReserving.open();
            await firstReleased.opened;
          }
          return products.execute(command, metadata);
        },
      }),
    };
    const input = {
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 3 }],
      email: 'twice@example.com',
      returnUrl: RETURN_URL,
      client: '127.0.0.1',
    };
    const before = await availableOf(t, 'BAGGIO-1994');
    const sessionsBefore = t.sandbox.sessions().length;
    const firstCall = startCheckout(first, input);
    await firstAtStripe.opened;
    const outcomes = await Promise.allSettled([firstCall, startCheckout(second, input)]);

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    const orderId = orderIdFor(input.checkoutId);
    expect((await orderEvents(services.store, orderId)).map((e) => e.type)).toEqual([
      'CartValidated',
      'CheckoutFailed',
    ]);
    expect((await products.state('BAGGIO-1994')).holds.get(orderId)).toBeUndefined();
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
    const made = t.sandbox.sessions().slice(sessionsBefore);
    expect(made.map((s) => s.status)).toEqual(['expired']);
  });
});
