/**
 * checkout.start asked again for a cart (the widget sends a cart's checkoutId from every tab
 * until the shopper is back from Stripe) or for a changed cart (`replaces`, the previous
 * Pay's checkoutId): the shopper gets one page to pay on, never two, and never one that can
 * no longer be paid.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutClosedError, startCheckout } from '../../server/checkout/start-checkout';
import { orderStream } from '../../server/domain/events';
import { orderIdFor } from '../../server/domain/ids';
import type { EventStore } from '../../server/eventstore/port';
import { readReturn } from '../../widget/state/return';
import type { TestApp } from '../support/app';
import { catalogEntry, movableClock, startTestApp } from '../support/app';
import { gate } from '../support/gate';
import { availableOf, orderEvents, RETURN_URL, sessionIdOf } from '../support/orders';

const SKU = 'REPEAT';
/** Three units only: a changed cart may need the ones its previous Pay holds. */
const SCARCE = 'REPEAT-SCARCE';
let t: TestApp;
const clock = movableClock();
const later = (ms: number) => clock.later(t, ms);
beforeAll(async () => {
  t = await startTestApp({
    catalog: [catalogEntry(SKU, 100), catalogEntry(SCARCE, 3)],
    now: clock.now,
    // A debit settles after the file has run: its order stays pending.
    sandbox: { asyncDelayMs: 10 * 60_000 },
  });
});
afterAll(async () => {
  await t?.close();
});

const inputFor = (email: string, quantity = 1) => ({
  checkoutId: randomUUID(),
  items: [{ sku: SKU, quantity }],
  email,
  returnUrl: RETURN_URL,
});
/**
 * Starts a checkout whose Stripe call waits until `go()`: a Pay in another tab, its order
 * validated and its units held, still on its way to Stripe.
 */
async function heldAtStripe(input: ReturnType<typeof inputFor> & { client: string }) {
  const { services } = t.app;
  const atStripe = gate();
  const released = gate();
  const stripe = Object.assign(Object.create(services.stripe), {
    createCheckoutSession: async (request: never) => {
      atStripe.open();
      await released.opened;
      return services.stripe.createCheckoutSession(request);
    },
  });
  const result = startCheckout(
    { ...services, publicUrl: services.config.publicUrl, stripe },
    input,
  );
  await atStripe.opened;
  return { result, go: released.open };
}

const typesOf = async (orderId: string) =>
  (await orderEvents(t.app.services.store, orderId)).map((e) => e.type);

describe('the same cart again', () => {
  it("while its debit settles: the return page showing the order, not Stripe's finished page", async () => {
    const input = inputFor('pending-repeat@example.com');
    const first = await t.client.checkout.start.mutate(input);
    await t.sandbox.pay(sessionIdOf(first.checkoutUrl), { iban: 'DE89370400440532013000' });
    await expect.poll(() => typesOf(first.orderId)).toContain('PaymentPending');

    const again = await t.client.checkout.start.mutate(input);
    expect(readReturn(again.checkoutUrl)).toEqual({
      outcome: 'success',
      orderId: first.orderId,
      sessionId: sessionIdOf(first.checkoutUrl),
    });
  });

  it('once its session expired at Stripe with the webhook lost: ended now, its stock given back, CONFLICT', async () => {
    const input = inputFor('lost-expiry@example.com', 3);
    const before = await availableOf(t, SKU);
    const first = await t.client.checkout.start.mutate(input);
    const sessionId = sessionIdOf(first.checkoutUrl);
    t.sandbox.setWebhookUrl(undefined);
    try {
      later(32 * 60_000);
      await expect.poll(() => t.sandbox.session(sessionId)?.status).toBe('expired');
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
    expect(await availableOf(t, SKU)).toBe(before - 3);

    await expect(t.client.checkout.start.mutate(input)).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
      message: expect.stringContaining('has ended (expired)'),
    });
    expect(await typesOf(first.orderId)).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'CheckoutExpired',
    ]);
    expect(await availableOf(t, SKU)).toBe(before);
  });
});

describe('a changed cart, replacing the previous Pay', () => {
  it("ends the previous order's open Stripe page and gives its stock back, then starts the new one", async () => {
    const before = await availableOf(t, SKU);
    const previous = inputFor('replaced@example.com', 1);
    const first = await t.client.checkout.start.mutate(previous);
    const changed = { ...inputFor('replaced@example.com', 2), replaces: [previous.checkoutId] };
    const second = await t.client.checkout.start.mutate(changed);

    expect(second.orderId).not.toBe(first.orderId);
    expect(t.sandbox.session(sessionIdOf(first.checkoutUrl))?.status).toBe('expired');
    expect(t.sandbox.session(sessionIdOf(second.checkoutUrl))?.status).toBe('open');
    expect(await typesOf(first.orderId)).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'CheckoutExpired',
    ]);
    expect(await availableOf(t, SKU)).toBe(before - 2);
    // Sent again (a double click, another tab), the new order is answered as before.
    expect(await t.client.checkout.start.mutate(changed)).toEqual(second);
  });

  it('ends the previous Pay still on its way to Stripe: the session it gets is abandoned, its stock given back', async () => {
    const email = 'replace-in-flight@example.com';
    const before = await availableOf(t, SKU);
    const previous = { ...inputFor(email, 1), client: '127.0.0.1' };
    const { services } = t.app;
    const first = await heldAtStripe(previous);

    const changed = { ...inputFor(email, 2), replaces: [previous.checkoutId] };
    const second = await t.client.checkout.start.mutate(changed);
    first.go();
    await expect(first.result).rejects.toBeInstanceOf(CheckoutClosedError);
    await services.afterReply.settled();
    const open = t.sandbox
      .sessions()
      .filter((s) => s.customer_email === email && s.status === 'open');
    expect(open.map((s) => s.id)).toEqual([sessionIdOf(second.checkoutUrl)]);
    expect(await availableOf(t, SKU)).toBe(before - 2);
  });

  it('ends the previous Pay whose session arrives while it is being ended: that session is expired at Stripe first', async () => {
    const email = 'replace-race@example.com';
    const previous = { ...inputFor(email, 1), client: '127.0.0.1' };
    const { services } = t.app;
    const first = await heldAtStripe(previous);
    // The changed cart's request reads the previous order (validated, no session yet), then
    // waits before its second read, the one that ends it: meanwhile that order's request
    // gets its session and hands it out.
    const stream = orderStream(orderIdFor(previous.checkoutId));
    let reads = 0;
    const secondRead = gate();
    const resume = gate();
    const store: EventStore = Object.assign(Object.create(services.store), {
      readStream: async (name: string, options?: never) => {
        if (name === stream && ++reads === 2) {
          secondRead.open();
          await resume.opened;
        }
        return services.store.readStream(name, options);
      },
    });
    const changed = { ...inputFor(email, 2), replaces: [previous.checkoutId] };
    const second = startCheckout(
      { ...services, publicUrl: services.config.publicUrl, store },
      { ...changed, client: '127.0.0.1' },
    );
    await secondRead.opened;
    first.go();
    const firstPage = await first.result;
    resume.open();
    const secondPage = await second;
    await services.afterReply.settled();

    expect(t.sandbox.session(sessionIdOf(secondPage.checkoutUrl))?.status).toBe('open');
    expect(t.sandbox.session(sessionIdOf(firstPage.checkoutUrl))?.status).toBe('expired');
    expect(await typesOf(firstPage.orderId)).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'CheckoutExpired',
    ]);
  });

  it('shows the previous order instead when it was paid meanwhile: nothing new to pay', async () => {
    const previous = inputFor('paid-then-changed@example.com', 1);
    const first = await t.client.checkout.start.mutate(previous);
    await t.sandbox.pay(sessionIdOf(first.checkoutUrl));
    await expect.poll(() => typesOf(first.orderId)).toContain('PaymentCompleted');

    const changed = {
      ...inputFor('paid-then-changed@example.com', 2),
      replaces: [previous.checkoutId],
    };
    const answer = await t.client.checkout.start.mutate(changed);
    expect(answer.orderId).toBe(first.orderId);
    expect(readReturn(answer.checkoutUrl)).toMatchObject({
      outcome: 'success',
      orderId: first.orderId,
    });
    expect(await typesOf(orderIdFor(changed.checkoutId))).toEqual([]);
  });

  it('refuses, changing nothing, while Stripe cannot say whether the previous page was paid', async () => {
    const before = await availableOf(t, SKU);
    const previous = inputFor('replace-stripe-down@example.com', 1);
    const first = await t.client.checkout.start.mutate(previous);
    const changed = {
      ...inputFor('replace-stripe-down@example.com', 2),
      replaces: [previous.checkoutId],
    };
    t.sandbox.failNext('http500', 2);
    await expect(t.client.checkout.start.mutate(changed)).rejects.toMatchObject({
      data: { code: 'SERVICE_UNAVAILABLE' },
      message: expect.stringContaining('could not say whether an earlier checkout'),
    });
    expect(t.sandbox.session(sessionIdOf(first.checkoutUrl))?.status).toBe('open');
    expect(await typesOf(orderIdFor(changed.checkoutId))).toEqual([]);
    expect(await availableOf(t, SKU)).toBe(before - 1);

    // Asked again once Stripe answers: the previous page is ended, the new cart started.
    const second = await t.client.checkout.start.mutate(changed);
    expect(t.sandbox.session(sessionIdOf(first.checkoutUrl))?.status).toBe('expired');
    expect(await availableOf(t, SKU)).toBe(before - 2);
    expect(second.orderId).toBe(orderIdFor(changed.checkoutId));
  });

  it("takes the units the previous Pay holds as the changed cart's own", async () => {
    const previous = {
      ...inputFor('scarce-replaced@example.com'),
      items: [{ sku: SCARCE, quantity: 3 }],
    };
    const first = await t.client.checkout.start.mutate(previous);
    expect(await availableOf(t, SCARCE)).toBe(0);
    const changed = {
      ...inputFor('scarce-replaced@example.com'),
      items: [
        { sku: SCARCE, quantity: 3 },
        { sku: SKU, quantity: 1 },
      ],
      replaces: [previous.checkoutId],
    };
    const second = await t.client.checkout.start.mutate(changed);
    expect(t.sandbox.session(sessionIdOf(first.checkoutUrl))?.status).toBe('expired');
    expect(t.sandbox.session(sessionIdOf(second.checkoutUrl))?.status).toBe('open');
    expect(await availableOf(t, SCARCE)).toBe(0);
    // Ended, so its units are free for the next test's cart.
    await t.client.order.cancel.mutate({ orderId: second.orderId });
    await expect.poll(() => availableOf(t, SCARCE)).toBe(3);
  });

  it.each([
    ['a product the catalog does not have', [{ sku: 'NO-SUCH-SKU', quantity: 1 }], 'unknown_sku'],
    [
      'more units than the previous Pay holds and stock has together',
      [{ sku: SCARCE, quantity: 4 }],
      'insufficient_stock',
    ],
  ])(
    'refuses a changed cart with %s before ending the previous page, which stays payable',
    async (_, items, code) => {
      const email = `refused-change-${code}@example.com`;
      const previous = { ...inputFor(email), items: [{ sku: SCARCE, quantity: 2 }] };
      const first = await t.client.checkout.start.mutate(previous);
      const events = (await t.app.services.store.readAll()).length;

      const changed = { ...inputFor(email), items, replaces: [previous.checkoutId] };
      await expect(t.client.checkout.start.mutate(changed)).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', problems: [expect.objectContaining({ code })] },
      });
      expect(t.sandbox.session(sessionIdOf(first.checkoutUrl))?.status).toBe('open');
      expect((await t.app.services.store.readAll()).length).toBe(events);
      expect(await availableOf(t, SCARCE)).toBe(1);

      await t.client.order.cancel.mutate({ orderId: first.orderId });
      await expect.poll(() => availableOf(t, SCARCE)).toBe(3);
    },
  );

  it('shows the previous order, paid meanwhile, even when the changed cart could not be sold', async () => {
    const previous = inputFor('paid-then-unsellable@example.com');
    const first = await t.client.checkout.start.mutate(previous);
    await t.sandbox.pay(sessionIdOf(first.checkoutUrl));
    await expect.poll(() => typesOf(first.orderId)).toContain('PaymentCompleted');

    const changed = {
      ...inputFor('paid-then-unsellable@example.com'),
      items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }],
      replaces: [previous.checkoutId],
    };
    const answer = await t.client.checkout.start.mutate(changed);
    expect(readReturn(answer.checkoutUrl)).toMatchObject({
      outcome: 'success',
      orderId: first.orderId,
    });
  });

  it('refuses a replaces that is no checkoutId, changing nothing', async () => {
    const events = (await t.app.services.store.readAll()).length;
    await expect(
      t.client.checkout.start.mutate({ ...inputFor('bad-replaces@example.com'), replaces: ['x'] }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    expect((await t.app.services.store.readAll()).length).toBe(events);
  });
});
