import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProductCommand } from '../../server/catalog/product';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { availableOf, checkout, givenOrderEvent, orderEvents } from '../support/orders';

let t: TestApp;
let offsetMs = 0;
const GRACE_SECONDS = 60;
/** Every call the sandbox answered, e.g. `GET /v1/checkout/sessions/cs_... -> 200`. */
const stripeCalls: string[] = [];
beforeAll(async () => {
  t = await startTestApp({
    sandbox: { log: (line) => stripeCalls.push(line) },
    now: () => new Date(Date.now() + offsetMs),
    env: { RESERVATION_GRACE_SECONDS: String(GRACE_SECONDS) },
  });
});
afterAll(async () => {
  await t?.close();
});

const PAST_EXPIRY_MS = (31 * 60 + GRACE_SECONDS + 1) * 1000;

/**
 * Moves the server's clock and Stripe's past the reservation's expiry plus the grace period.
 * Stripe's expiry runs late: a session Stripe has not ended stays open there, though due.
 */
const pastExpiry = () => {
  offsetMs += PAST_EXPIRY_MS;
  moveStripe(PAST_EXPIRY_MS, { expireDue: false });
};

let stripeOffsetMs = 0;
function moveStripe(ms: number, options: { expireDue?: boolean } = {}) {
  stripeOffsetMs += ms;
  t.sandbox.advanceClock(ms, options);
}

// Stripe's late expiry catches up, heard by the server: no test finds another's due session open.
afterEach(async () => {
  moveStripe(0);
  const dueOpen = () =>
    t.sandbox
      .sessions()
      .filter((s) => s.status === 'open' && s.expires_at * 1000 <= Date.now() + stripeOffsetMs);
  await expect.poll(dueOpen).toEqual([]);
  await t.sandbox.idle();
  await t.app.services.afterReply.settled();
});

/**
 * An order started with other Stripe keys (another account's or mode's), holding one unit:
 * its events are a real checkout's, with a session id Stripe does not know.
 */
async function startedWithOtherKeys(sessionId: string): Promise<string> {
  const { store, products } = t.app.services;
  const model = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
  await t.client.order.cancel.mutate({ orderId: model.orderId });
  const [validated, started] = await orderEvents(store, model.orderId);
  const orderId = randomUUID();
  const at = new Date(Date.now() + offsetMs).toISOString();
  await givenOrderEvent(store, orderId, 'CartValidated', {
    ...(validated!.data as Record<string, unknown>),
    orderId,
    checkoutId: randomUUID(),
    at,
  });
  await products.execute(
    {
      type: 'ReserveStock',
      sku: 'BAGGIO-1994',
      orderId,
      quantity: 1,
      expiresAt: (started!.data as { expiresAt: string }).expiresAt,
      at,
    },
    { correlationId: orderId, causationId: 'test' },
  );
  await givenOrderEvent(store, orderId, 'CheckoutStarted', {
    ...(started!.data as Record<string, unknown>),
    orderId,
    sessionId,
    at,
  });
  return orderId;
}

/** Sweeps until the read models have caught up with the order. */
async function sweptOrders() {
  const result = await t.app.sweep();
  return [...result.swept, ...result.paid];
}

/**
 * Delivers a paid-by-debit session's checkout.session.completed and nothing else: the order
 * waits for the debit's outcome, whose webhook never comes.
 */
async function onlyCompletedHeard(order: { orderId: string; sessionId: string }) {
  const completed = t.sandbox
    .events()
    .find((e) => e.type === 'checkout.session.completed' && e.data.object.id === order.sessionId)!;
  t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
  t.sandbox.resend(completed.id);
  await t.sandbox.idle();
  t.sandbox.setWebhookUrl(undefined);
  await expect
    .poll(async () => (await t.client.order.get.query({ orderId: order.orderId })).status)
    .toBe('pending');
}

describe('reservations that outlive their session (a lost expired webhook)', () => {
  it('are released by the sweep, as events, once Stripe has ended the session', async () => {
    t.sandbox.setWebhookUrl(undefined);
    try {
      const before = await availableOf(t, 'BAGGIO-1994');
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);
      expect(await t.app.sweep()).toEqual({
        swept: [],
        paid: [],
        deferred: [],
        notDue: [],
        released: [],
        retaken: [],
        failed: [],
      });

      // Stripe ends the session; its webhook is lost.
      await t.sandbox.expire(order.sessionId);
      pastExpiry();
      await expect.poll(sweptOrders).toContain(order.orderId);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
      const expired = (await orderEvents(t.app.services.store, order.orderId)).at(-1)!;
      expect(expired.type).toBe('CheckoutExpired');
      expect(expired.data).toMatchObject({ stripeEventId: null, sessionId: order.sessionId });
      expect(await t.sandbox.pay(order.sessionId)).toMatchObject({ error: expect.any(String) });
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
  });

  it("expires at Stripe first a session Stripe has left open past its expiry on Stripe's clock", async () => {
    t.sandbox.setWebhookUrl(undefined);
    try {
      const before = await availableOf(t, 'BAGGIO-1994');
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);

      // Both clocks past the expiry, Stripe's expiry running late: still open there.
      pastExpiry();
      expect(t.sandbox.session(order.sessionId)?.status).toBe('open');
      await expect.poll(sweptOrders).toContain(order.orderId);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
      // The stock it gave back cannot be paid for.
      expect(t.sandbox.session(order.sessionId)?.status).toBe('expired');
      expect(await t.sandbox.pay(order.sessionId)).toMatchObject({ error: expect.any(String) });
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
  });

  it("leaves open a session Stripe's clock says is not yet due (ours ahead), and its payment is on time", async () => {
    t.sandbox.setWebhookUrl(undefined);
    try {
      const before = await availableOf(t, 'BAGGIO-1994');
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);

      // Our clock jumps past the expiry; Stripe's does not.
      offsetMs += PAST_EXPIRY_MS;
      await expect
        .poll(async () => (await t.app.sweep()).notDue, { timeout: 10_000 })
        .toEqual([order.orderId]);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
      expect(t.sandbox.session(order.sessionId)?.status).toBe('open');
      const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
      expect(types).toEqual(['CartValidated', 'CheckoutStarted']);

      // The shopper still on Stripe's page pays: an on-time sale, its units never given back.
      expect(await t.sandbox.pay(order.sessionId)).toMatchObject({
        redirectUrl: expect.any(String),
      });
      await expect.poll(sweptOrders).toContain(order.orderId);
      const view = await t.client.order.get.query({ orderId: order.orderId });
      expect(view.status).toBe('paid');
      expect(view.flags.late).toBe(false);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
      const released = (await t.app.services.store.readStream('product-BAGGIO-1994')).filter(
        (e) =>
          e.type === 'StockReleased' && (e.data as { orderId: string }).orderId === order.orderId,
      );
      expect(released).toEqual([]);
    } finally {
      moveStripe(PAST_EXPIRY_MS, { expireDue: false });
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
  });

  it('releases the other ended orders when one release fails, and that one in the next round', async () => {
    t.sandbox.setWebhookUrl(undefined);
    const { products } = t.app.services;
    const execute = products.execute.bind(products);
    try {
      const before = await availableOf(t, 'BAGGIO-1994');
      // Given: two orders expired, their stock still held (a crash before the release ran).
      const orders = [
        await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]),
        await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]),
      ];
      // Ended one after the other, a millisecond apart at least: the sweep walks ended orders
      // by when they ended (then by id, which is random), and the first is to fail.
      for (const [index, { orderId, sessionId }] of orders.entries())
        await givenOrderEvent(t.app.services.store, orderId, 'CheckoutExpired', {
          orderId,
          stripeEventId: `evt_${orderId}`,
          sessionId,
          at: new Date(Date.now() + offsetMs + index).toISOString(),
        });
      const status = t.app.services.readModels.db.prepare<[string], { status: string }>(
        'SELECT status FROM orders WHERE order_id = ?',
      );
      await expect
        .poll(() => orders.map((o) => status.get(o.orderId)?.status))
        .toEqual(['expired', 'expired']);
      offsetMs += (GRACE_SECONDS + 1) * 1000;
      // The store refuses the first release once (busy, a timeout).
      let failOnce = true;
      products.execute = async (command: ProductCommand, metadata) => {
        if (failOnce && command.type === 'ReleaseStock') {
          failOnce = false;
          throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        }
        return execute(command, metadata);
      };

      const first = await t.app.sweep();
      expect(first.failed.map((f) => f.orderId)).toEqual([orders[0]!.orderId]);
      expect(first.released).toEqual([orders[1]!.orderId]);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 1);
      const second = await t.app.sweep();
      expect([second.failed, second.released]).toEqual([[], [orders[0]!.orderId]]);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
    } finally {
      products.execute = execute;
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
  });

  it('records a payment that arrives after the order expired, flagged late', async () => {
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    // Given: the order was recorded expired while the shopper was paying (a race at Stripe).
    await givenOrderEvent(t.app.services.store, order.orderId, 'CheckoutExpired', {
      orderId: order.orderId,
      stripeEventId: null,
      sessionId: order.sessionId,
      at: new Date().toISOString(),
    });
    await t.sandbox.pay(order.sessionId);
    await t.sandbox.idle();
    const view = await t.client.order.get.query({ orderId: order.orderId });
    expect(view.status).toBe('paid');
    expect(view.flags.late).toBe(true);
  });

  it('releases an order whose session Stripe does not know (keys of another account or mode)', async () => {
    const orderId = await startedWithOtherKeys('cs_test_made_with_other_keys');
    const holding = await availableOf(t, 'BAGGIO-1994');

    pastExpiry();
    await expect.poll(sweptOrders).toContain(orderId);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(holding + 1);
  });

  it('gives up on a pending debit whose session Stripe does not know, after the same 30 days', async () => {
    const { store, products } = t.app.services;
    const clockAtStart = offsetMs;
    try {
      // Given: an order started with other Stripe keys and paid by a debit, holding one unit.
      const sessionId = 'cs_test_debit_made_with_other_keys';
      const orderId = await startedWithOtherKeys(sessionId);
      await givenOrderEvent(store, orderId, 'PaymentPending', {
        orderId,
        stripeEventId: null,
        sessionId,
        paymentStatus: 'unpaid',
        at: new Date(Date.now() + offsetMs).toISOString(),
      });
      const held = async () => (await products.state('BAGGIO-1994')).holds.get(orderId);

      // A few hours on, a debit may still be under way on the other account: nothing changes.
      offsetMs += 3 * 60 * 60_000;
      const early = await t.app.sweep();
      expect([...early.swept, ...early.deferred]).not.toContain(orderId);
      expect(await held()).toBe(1);
      // After 30 days no debit is, wherever it was made: recorded failed, its unit back.
      offsetMs += 30 * 24 * 60 * 60_000;
      await expect.poll(async () => (await t.app.sweep()).swept).toContain(orderId);
      expect((await orderEvents(store, orderId)).map((e) => e.type)).toEqual([
        'CartValidated',
        'CheckoutStarted',
        'PaymentPending',
        'PaymentFailed',
      ]);
      await expect.poll(held).toBeUndefined();
    } finally {
      offsetMs = clockAtStart;
    }
  });

  it('records a payment whose webhook was lost instead of sweeping it', async () => {
    t.sandbox.setWebhookUrl(undefined);
    try {
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
      await t.sandbox.pay(order.sessionId);
      pastExpiry();
      await expect.poll(sweptOrders).toContain(order.orderId);
      const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
      expect(types).toEqual(['CartValidated', 'CheckoutStarted', 'PaymentCompleted']);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
  });

  it('records a bank debit that settled while its webhook was lost, asking Stripe once an hour', async () => {
    t.sandbox.setWebhookUrl(undefined);
    try {
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
      await t.sandbox.pay(order.sessionId, { iban: 'DE89370400440532013000' });
      // The debit settles at Stripe (the sandbox's clears at once); no webhook gets through...
      await expect.poll(() => t.sandbox.session(order.sessionId)?.payment_status).toBe('paid');
      // ...but the first: the order waits for the debit's outcome, which it never hears.
      await onlyCompletedHeard(order);
      const asked = () =>
        stripeCalls.filter((line) =>
          line.startsWith(`GET /v1/checkout/sessions/${order.sessionId}`),
        ).length;

      const before = asked();
      expect((await t.app.sweep()).paid).not.toContain(order.orderId);
      expect(asked()).toBe(before);
      offsetMs += 61 * 60_000;
      await expect.poll(async () => (await t.app.sweep()).paid).toContain(order.orderId);
      const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
      expect(types).toEqual([
        'CartValidated',
        'CheckoutStarted',
        'PaymentPending',
        'PaymentCompleted',
      ]);
      expect(asked()).toBe(before + 1);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
  });

  it('gives back the stock of a debit still unpaid after any settlement time, its outcome webhook lost', async () => {
    t.sandbox.setWebhookUrl(undefined);
    const clockAtStart = offsetMs;
    try {
      const before = await availableOf(t, 'BAGGIO-1994');
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);
      await t.sandbox.pay(order.sessionId, { iban: 'DE62370400440532013001' });
      await expect
        .poll(() =>
          t.sandbox
            .events()
            .some(
              (e) =>
                e.type === 'checkout.session.async_payment_failed' &&
                e.data.object.id === order.sessionId,
            ),
        )
        .toBe(true);
      await onlyCompletedHeard(order);

      // Unpaid a few hours on: a debit may still be under way, so the order keeps its stock.
      offsetMs += 3 * 60 * 60_000;
      expect((await t.app.sweep()).swept).not.toContain(order.orderId);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
      // Unpaid after 30 days: no debit takes that long; it failed, and its stock goes back.
      offsetMs += 30 * 24 * 60 * 60_000;
      await expect.poll(async () => (await t.app.sweep()).swept).toContain(order.orderId);
      const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
      expect(types).toEqual([
        'CartValidated',
        'CheckoutStarted',
        'PaymentPending',
        'PaymentFailed',
      ]);
      await expect.poll(() => availableOf(t, 'BAGGIO-1994')).toBe(before);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
      // A month ahead of the sandbox's clock, no later checkout's expires_at would be valid.
      offsetMs = clockAtStart;
    }
  });

  it('leaves a mismatched payment to the site owner: stock kept, Stripe not asked again', async () => {
    t.sandbox.setWebhookUrl(undefined);
    try {
      const before = await availableOf(t, 'BAGGIO-1994');
      const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
      await t.sandbox.pay(order.sessionId);
      // Given: the webhook found an amount that was not the order's (Stripe took 1 EUR).
      await givenOrderEvent(t.app.services.store, order.orderId, 'PaymentMismatched', {
        orderId: order.orderId,
        stripeEventId: 'evt_mismatch',
        sessionId: order.sessionId,
        at: new Date().toISOString(),
        expected: { amount: 9900, currency: 'eur' },
        received: { amount: 100, currency: 'eur' },
      });
      await expect
        .poll(async () => (await t.client.order.get.query({ orderId: order.orderId })).flags)
        .toMatchObject({ mismatch: true });
      const retrieved = () =>
        stripeCalls.filter((line) =>
          line.startsWith(`GET /v1/checkout/sessions/${order.sessionId}`),
        ).length;
      const touched = retrieved();

      pastExpiry();
      expect(await t.app.sweep()).toEqual({
        swept: [],
        paid: [],
        deferred: [],
        notDue: [],
        released: [],
        retaken: [],
        failed: [],
      });
      const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
      expect(types).toEqual(['CartValidated', 'CheckoutStarted', 'PaymentMismatched']);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 1);
      expect(retrieved()).toBe(touched);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
  });
});
