import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productStream } from '../../server/domain/events';
import { readReturn } from '../../widget/state/return';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import {
  availableOf,
  checkout,
  countOf,
  orderEvents,
  RETURN_URL,
  sessionIdOf,
} from '../support/orders';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the payment flow through the real server and the sandbox', () => {
  it('lists the catalog with prices and availability from the events', async () => {
    const list = await t.client.catalog.list.query();
    expect(list.map((p) => [p.sku, p.unitAmount, p.currency, p.available])).toEqual(
      expect.arrayContaining([
        ['PELE-1958', 18900, 'eur', 3],
        ['BAGGIO-1994', 4500, 'eur', 50],
      ]),
    );
    expect(list.find((p) => p.sku === 'PELE-1958')?.image).toMatch(
      /^http:\/\/.+\/images\/pele-1958\.svg$/,
    );
  });

  it('takes an order from cart to paid, recording each step once', async () => {
    const before = await availableOf(t, 'BAGGIO-1994');
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);

    const session = t.sandbox.session(order.sessionId)!;
    expect(session).toMatchObject({
      mode: 'payment',
      amount_total: 9000,
      currency: 'eur',
      customer_email: 'fan@example.com',
      client_reference_id: order.orderId,
      metadata: { orderId: order.orderId },
    });
    expect(session.success_url).toBe(
      `${RETURN_URL}?stripe_cart=success&stripe_cart_order=${order.orderId}&stripe_cart_session={CHECKOUT_SESSION_ID}`,
    );
    expect(session.cancel_url).toBe(
      `${RETURN_URL}?stripe_cart=cancel&stripe_cart_order=${order.orderId}`,
    );
    expect(session.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(30 * 60 - 5);

    const paid = await t.sandbox.pay(order.sessionId);
    expect(paid.redirectUrl).toBe(
      `${RETURN_URL}?stripe_cart=success&stripe_cart_order=${order.orderId}&stripe_cart_session=${order.sessionId}`,
    );
    await t.sandbox.idle();

    const view = await t.client.order.get.query({ orderId: order.orderId });
    expect(view.status).toBe('paid');
    expect(view.total).toBe(9000);
    const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
    expect(types).toEqual(['CartValidated', 'CheckoutStarted', 'PaymentCompleted']);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
  });

  it('sends a shopper from a page with a long address back to the page, without its query', async () => {
    const started = await t.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'tracked@example.com',
      returnUrl: `${RETURN_URL}?utm_content=${'x'.repeat(2500)}#top`,
    });
    const sessionId = new URL(started.checkoutUrl).pathname.split('/').pop()!;
    expect(t.sandbox.session(sessionId)?.cancel_url).toBe(
      `${RETURN_URL}?stripe_cart=cancel&stripe_cart_order=${started.orderId}`,
    );
  });

  it("keeps the page's own query parameters, whatever their names, in the return URLs", async () => {
    const started = await t.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'sorted@example.com',
      returnUrl: `${RETURN_URL}?order=price-asc&session_id=mine`,
    });
    const sessionId = new URL(started.checkoutUrl).pathname.split('/').pop()!;
    expect(t.sandbox.session(sessionId)?.cancel_url).toBe(
      `${RETURN_URL}?order=price-asc&session_id=mine&stripe_cart=cancel&stripe_cart_order=${started.orderId}`,
    );
  });

  it('brings the shopper back to the order just started, whatever the page address held', async () => {
    // A crafted link: our names spelled encoded, and plainly. The page's encoded one is its
    // own and stays; a plain one is dropped; the widget reads only the order just started.
    const other = '11111111-2222-4333-8444-555555555555';
    const started = await t.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'crafted@example.com',
      returnUrl: `${RETURN_URL}?stripe%5Fcart_order=${other}&stripe_cart_order=${other}`,
    });
    const sessionId = sessionIdOf(started.checkoutUrl);
    const back = t.sandbox
      .session(sessionId)!
      .success_url.replace('{CHECKOUT_SESSION_ID}', sessionId);
    expect(back).toBe(
      `${RETURN_URL}?stripe%5Fcart_order=${other}&stripe_cart=success&stripe_cart_order=${started.orderId}&stripe_cart_session=${sessionId}`,
    );
    expect(readReturn(back)).toEqual({ outcome: 'success', orderId: started.orderId, sessionId });
  });

  it("passes the page's own query to Stripe as it came, not re-encoded longer", async () => {
    // About 1,980 characters: a '/' encoded as %2F would make the URL too long for Stripe.
    const next = '/'.repeat(1_950);
    const started = await t.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'slashes@example.com',
      returnUrl: `${RETURN_URL}?next=${next}&stripe_cart=stale`,
    });
    const sessionId = new URL(started.checkoutUrl).pathname.split('/').pop()!;
    expect(t.sandbox.session(sessionId)?.success_url).toBe(
      `${RETURN_URL}?next=${next}&stripe_cart=success&stripe_cart_order=${started.orderId}&stripe_cart_session={CHECKOUT_SESSION_ID}`,
    );
  });

  it('returns the same order and checkout URL for a repeated checkoutId', async () => {
    const input = {
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'twice@example.com',
      returnUrl: RETURN_URL,
    };
    const [a, b] = await Promise.all([
      t.client.checkout.start.mutate(input),
      t.client.checkout.start.mutate(input),
    ]);
    const c = await t.client.checkout.start.mutate(input);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(t.sandbox.sessions().filter((s) => s.client_reference_id === a.orderId)).toHaveLength(1);
    expect(await countOf(t.app.services.store, a.orderId, 'CheckoutStarted')).toBe(1);
  });

  it('answers a checkoutId repeated after its order was paid with the page showing that order, changing nothing', async () => {
    const input = {
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'paid-then-again@example.com',
      returnUrl: `${RETURN_URL}?page=kits#top`,
    };
    const first = await t.client.checkout.start.mutate(input);
    await t.sandbox.pay(sessionIdOf(first.checkoutUrl));
    await expect
      .poll(async () => (await t.client.order.get.query({ orderId: first.orderId })).status)
      .toBe('paid');
    const before = await orderEvents(t.app.services.store, first.orderId);
    // Pay pressed again in another tab, on another page: no second session, no second charge.
    const again = await t.client.checkout.start.mutate({ ...input, returnUrl: RETURN_URL });
    expect(again.orderId).toBe(first.orderId);
    expect(again.checkoutUrl).toMatch(new RegExp(`^${RETURN_URL}\\?page=kits&`));
    expect(again.checkoutUrl.endsWith('#top')).toBe(true);
    expect(readReturn(again.checkoutUrl)).toEqual({
      outcome: 'success',
      orderId: first.orderId,
      sessionId: sessionIdOf(first.checkoutUrl),
    });
    expect(await orderEvents(t.app.services.store, first.orderId)).toEqual(before);
    expect(
      t.sandbox.sessions().filter((s) => s.client_reference_id === first.orderId),
    ).toHaveLength(1);
  });

  it('refuses a checkoutId reused for another cart or email, changing nothing', async () => {
    const input = {
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'first@example.com',
      returnUrl: RETURN_URL,
    };
    const first = await t.client.checkout.start.mutate(input);
    const events = (await t.app.services.store.readAll()).length;
    const reuses = [
      { ...input, items: [{ sku: 'BAGGIO-1994', quantity: 2 }] },
      { ...input, items: [...input.items, { sku: 'MALDINI-2003', quantity: 1 }] },
      { ...input, email: 'second@example.com' },
    ];
    for (const reuse of reuses) {
      await expect(t.client.checkout.start.mutate(reuse)).rejects.toMatchObject({
        data: { code: 'CONFLICT' },
        message: expect.stringMatching(/already used for another cart/),
      });
    }
    expect((await t.app.services.store.readAll()).length).toBe(events);
    await expect(t.client.checkout.start.mutate(input)).resolves.toEqual(first);
  });

  it("resumes a checkout asked again in another language with the order's own Stripe parameters", async () => {
    const input = {
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'bilingual@example.com',
      returnUrl: RETURN_URL,
    };
    // Two tabs, two languages, one checkout: both reach Stripe under the order's idempotency key.
    const [de, fr] = await Promise.all([
      t.client.checkout.start.mutate({ ...input, locale: 'de' }),
      t.client.checkout.start.mutate({ ...input, locale: 'fr' }),
    ]);
    expect(fr).toEqual(de);
    const sessions = t.sandbox.sessions().filter((s) => s.client_reference_id === de.orderId);
    expect(sessions).toHaveLength(1);
    const [validated] = await orderEvents(t.app.services.store, de.orderId);
    expect(sessions[0]!.locale).toBe((validated!.data as { locale: string }).locale);
    expect(await countOf(t.app.services.store, de.orderId, 'CheckoutFailed')).toBe(0);
  });

  it('keeps the order open when the shopper cancels, and releases its stock when it expires', async () => {
    const before = await availableOf(t, 'BAGGIO-1994');
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 3 }]);
    expect((await t.client.order.get.query({ orderId: order.orderId })).status).toBe(
      'checkout_started',
    );
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 3);

    await t.sandbox.expire(order.sessionId);
    await t.sandbox.idle();
    await expect.poll(() => availableOf(t, 'BAGGIO-1994')).toBe(before);
    expect((await t.client.order.get.query({ orderId: order.orderId })).status).toBe('expired');

    // The release names the Stripe event that caused it, as the order's own event does.
    const { store } = t.app.services;
    const expired = (await orderEvents(store, order.orderId)).find(
      (e) => e.type === 'CheckoutExpired',
    )!;
    const released = (await store.readStream(productStream('BAGGIO-1994'))).find(
      (e) =>
        e.type === 'StockReleased' && (e.data as { orderId: string }).orderId === order.orderId,
    )!;
    expect(expired.metadata.stripeEventId).toMatch(/^evt_/);
    expect(released.metadata).toMatchObject({
      correlationId: order.orderId,
      causationId: expired.metadata.stripeEventId,
      stripeEventId: expired.metadata.stripeEventId,
    });
  });

  it('leaves the order unpaid when the card is declined', async () => {
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    const result = await t.sandbox.pay(order.sessionId, { card: '4000000000000002' });
    expect(result.declined).toBe(true);
    await t.sandbox.idle();
    expect((await t.client.order.get.query({ orderId: order.orderId })).status).toBe(
      'checkout_started',
    );
    expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(0);
  });

  it('records an async payment as pending, then paid', async () => {
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    await t.sandbox.pay(order.sessionId, { iban: 'DE89370400440532013000' });
    await t.sandbox.idle();
    const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
    expect(types).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'PaymentPending',
      'PaymentCompleted',
    ]);
  });

  it('records a failed async payment and gives the stock back', async () => {
    const before = await availableOf(t, 'BAGGIO-1994');
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);
    await t.sandbox.pay(order.sessionId, { iban: 'DE62370400440532013001' });
    await t.sandbox.idle();
    expect((await t.client.order.get.query({ orderId: order.orderId })).status).toBe('failed');
    await expect.poll(() => availableOf(t, 'BAGGIO-1994')).toBe(before);
  });

  it('marks the order paid from the success page even before the webhook arrives', async () => {
    t.sandbox.setWebhookUrl(undefined);
    try {
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
      await t.sandbox.pay(order.sessionId);
      expect((await t.client.order.get.query({ orderId: order.orderId })).status).toBe(
        'checkout_started',
      );
      const view = await t.client.order.get.query({
        orderId: order.orderId,
        sessionId: order.sessionId,
      });
      expect(view.status).toBe('paid');
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
      t.sandbox.resend(
        t.sandbox
          .events()
          .filter((e) => e.type === 'checkout.session.completed')
          .at(-1)!.id,
      );
      await t.sandbox.idle();
      expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
  });

  it('pushes the paid status to order.watch when the webhook lands', async () => {
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    const statuses: string[] = [];
    const paid = new Promise<void>((resolve, reject) => {
      const sub = t.client.order.watch.subscribe(
        { orderId: order.orderId },
        {
          onData: ({ data }) => {
            statuses.push(data.status);
            if (data.status === 'paid') {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    await expect.poll(() => statuses.length).toBeGreaterThan(0);
    await t.sandbox.pay(order.sessionId);
    await paid;
    expect(statuses[0]).toBe('checkout_started');
    expect(statuses.at(-1)).toBe('paid');
  });
});
