/**
 * A shopper who leaves Stripe's page by its cancel link: `order.cancel` ends the session at
 * Stripe and gives the stock back at once, so paying again is not refused for units this
 * checkout holds. A session paid meanwhile is recorded instead, never cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endOpenCheckout } from '../../server/checkout/end-checkout';
import { productStream } from '../../server/domain/events';
import { StripeBusyError } from '../../server/payments/stripe-gateway';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp, testCatalog } from '../support/app';
import { availableOf, checkout, countOf, orderEvents } from '../support/orders';
import { paidUnheard } from '../support/webhooks';

const LAST_TWO = 'CANCEL-LAST-TWO';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    catalog: [...testCatalog, catalogEntry(LAST_TWO, 2)],
  });
});
afterAll(async () => {
  await t?.close();
});

const typesOf = async (orderId: string) =>
  (await orderEvents(t.app.services.store, orderId)).map((e) => e.type);

async function releasesOf(orderId: string) {
  const events = await t.app.services.store.readStream(productStream(LAST_TWO));
  return events
    .map((e) => e.data as { orderId?: string; reason?: string })
    .filter((d, i) => d.orderId === orderId && events[i]!.type === 'StockReleased')
    .map((d) => d.reason);
}

describe('order.cancel', () => {
  it('ends the session at Stripe and gives the stock back, so the shopper can pay again', async () => {
    const order = await checkout(t, [{ sku: LAST_TWO, quantity: 2 }], 'cancels@example.com');
    expect(await availableOf(t, LAST_TWO)).toBe(0);

    // Stripe's own `expired` notice is held back until after the call, as it usually comes.
    t.sandbox.setWebhookUrl(undefined);
    try {
      expect(await t.client.order.cancel.mutate({ orderId: order.orderId })).toEqual({
        status: 'expired',
      });
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
    expect(t.sandbox.session(order.sessionId)?.status).toBe('expired');
    const notice = t.sandbox
      .events()
      .findLast(
        (e) => e.type === 'checkout.session.expired' && e.data.object.id === order.sessionId,
      );
    t.sandbox.resend(notice!.id);
    await t.sandbox.idle();
    await t.app.services.afterReply.settled();
    expect(await typesOf(order.orderId)).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'CheckoutExpired',
    ]);
    expect(await releasesOf(order.orderId)).toEqual(['cancelled']);
    expect(await availableOf(t, LAST_TWO)).toBe(2);

    // Once is enough: a second call changes nothing.
    expect(await t.client.order.cancel.mutate({ orderId: order.orderId })).toEqual({
      status: 'expired',
    });
    expect(await releasesOf(order.orderId)).toEqual(['cancelled']);
    const again = await checkout(t, [{ sku: LAST_TWO, quantity: 2 }], 'cancels@example.com');
    expect(again.orderId).not.toBe(order.orderId);
    expect(await availableOf(t, LAST_TWO)).toBe(0);
    await t.client.order.cancel.mutate({ orderId: again.orderId });
  });

  it('ends a checkout once when two ends overlap, and neither reports Stripe unreachable', async () => {
    const order = await checkout(t, [{ sku: LAST_TWO, quantity: 1 }], 'double-cancel@example.com');
    // Given: both look the session up before either expires it, so Stripe refuses the second.
    const { services } = t.app;
    let looked = 0;
    let bothLooked!: () => void;
    const lookedUp = new Promise<void>((resolve) => (bothLooked = resolve));
    const stripe = Object.assign(Object.create(services.stripe), {
      readCheckoutSession: async (id: string) => {
        const reading = await services.stripe.readCheckoutSession(id);
        if (++looked === 2) bothLooked();
        await lookedUp;
        return reading;
      },
    });
    const options = { reason: 'cancelled' as const, causationId: 'shopper-cancel' };
    const ends = await Promise.all([
      endOpenCheckout({ ...services, stripe }, order.orderId, options),
      endOpenCheckout({ ...services, stripe }, order.orderId, options),
    ]);
    // Ended once, and said so once: the other found it ended (two sweeps report it once).
    expect(ends.sort()).toEqual(['ended', 'unchanged']);
    expect(await countOf(services.store, order.orderId, 'CheckoutExpired')).toBe(1);
    expect(await releasesOf(order.orderId)).toHaveLength(1);
    expect(await availableOf(t, LAST_TWO)).toBe(2);
  });

  it('records a payment Stripe took meanwhile instead of cancelling it', async () => {
    const order = await checkout(t, [{ sku: LAST_TWO, quantity: 1 }], 'paid-anyway@example.com');
    await paidUnheard(t, order);

    expect(await t.client.order.cancel.mutate({ orderId: order.orderId })).toEqual({
      status: 'paid',
    });
    expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
    expect(await countOf(t.app.services.store, order.orderId, 'CheckoutExpired')).toBe(0);
    expect(await releasesOf(order.orderId)).toEqual([]);
    expect(await availableOf(t, LAST_TWO)).toBe(1);
  });

  it('changes nothing when Stripe cannot be asked, and says the checkout ends on its own', async () => {
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }], 'offline@example.com');
    const before = await typesOf(order.orderId);
    // The gateway retries a reset once.
    t.sandbox.failNext('reset', 2);
    await expect(t.client.order.cancel.mutate({ orderId: order.orderId })).rejects.toMatchObject({
      data: { code: 'SERVICE_UNAVAILABLE' },
      message: expect.stringMatching(/ends on its own/),
    });
    expect(await typesOf(order.orderId)).toEqual(before);
    expect(t.sandbox.session(order.sessionId)?.status).toBe('open');
  });

  it('leaves the checkout for later when Stripe says the session is busy (409)', async () => {
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }], 'busy@example.com');
    const before = await typesOf(order.orderId);
    const { services } = t.app;
    const stripe = Object.assign(Object.create(services.stripe), {
      expireCheckoutSession: async () => {
        throw new StripeBusyError('Stripe busy: a request with this key is in progress');
      },
    });
    const ended = await endOpenCheckout({ ...services, stripe }, order.orderId, {
      reason: 'cancelled',
      causationId: 'shopper-cancel',
    });
    expect(ended).toBe('ask again');
    expect(await typesOf(order.orderId)).toEqual(before);
    await t.client.order.cancel.mutate({ orderId: order.orderId });
  });

  it('refuses an unknown or malformed order id, changing nothing', async () => {
    const before = (await t.app.services.store.readAll()).length;
    await expect(
      t.client.order.cancel.mutate({ orderId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(t.client.order.cancel.mutate({ orderId: 'nope' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    expect((await t.app.services.store.readAll()).length).toBe(before);
  });
});
