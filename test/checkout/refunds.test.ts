/**
 * Refunds: a site owner gives money back in Stripe's dashboard (the sandbox's `refund`), and
 * Stripe's `charge.refunded` is recorded on the order as PaymentRefunded, once per refund,
 * whatever the order or number of deliveries; the sales figures count it on its day, the
 * stock stays as it was, and a rebuild from the events gives the same figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEventObject } from '../../demo/sandbox';
import {
  checkpointPosition,
  diffRows,
  headPosition,
  readModelRows,
  readModelsOf,
  rebuildFromCopy,
} from '../faults/read-models';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp, testCatalog } from '../support/app';
import { availableOf, checkout, countOf, orderEvents, paidOrder } from '../support/orders';
import { deliver } from '../support/webhooks';

const SKU = 'REFUNDED-SHIRT';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [...testCatalog, catalogEntry(SKU, 20)] });
});
afterAll(async () => {
  await t?.close();
});

/** A paid order, its payment recorded through the webhook. */
async function paidShirts(quantity = 2) {
  const order = await paidOrder(t, [{ sku: SKU, quantity }], 'refund-me@example.com');
  await expect
    .poll(async () => (await t.client.order.get.query({ orderId: order.orderId })).status)
    .toBe('paid');
  return order;
}

const refundsOf = async (orderId: string) =>
  (await orderEvents(t.app.services.store, orderId))
    .filter((e) => e.type === 'PaymentRefunded')
    .map((e) => e.data as { amount: number; refunded: number; currency: string });

/** The charge.refunded events the sandbox sent for the session, oldest first. */
const chargeRefunded = (sessionId: string): StripeEventObject[] => {
  const charge = t.sandbox.charge(sessionId);
  return t.sandbox
    .events()
    .filter(
      (e) =>
        e.type === 'charge.refunded' &&
        (e.data.object as unknown as { id: string }).id === charge?.id,
    );
};

/** The order view as the analytics orders report has it. */
async function reported(orderId: string) {
  const { orders } = await t.admin.analytics.orders.query({ email: 'refund-me@', pageSize: 500 });
  return orders.find((o) => o.orderId === orderId);
}

describe('refunds made at Stripe', () => {
  it('records a full refund once, counts it in the sales figures, and leaves the stock as it was', async () => {
    const before = (await t.admin.analytics.sales.query({})).totals.find(
      (row) => row.currency === 'eur',
    );
    const order = await paidShirts();
    const paid = (await orderEvents(t.app.services.store, order.orderId)).find(
      (e) => e.type === 'PaymentCompleted',
    )!.data as { amount: number; paymentIntentId: string };
    const available = await availableOf(t, SKU);

    await t.sandbox.refund(order.sessionId);
    await t.sandbox.idle();
    await t.app.services.afterReply.settled();

    expect(await refundsOf(order.orderId)).toEqual([
      expect.objectContaining({ amount: paid.amount, refunded: paid.amount, currency: 'eur' }),
    ]);
    // Delivered again, as Stripe's retries and resends do: nothing more.
    for (const event of chargeRefunded(order.sessionId)) t.sandbox.resend(event.id);
    await t.sandbox.idle();
    expect(await refundsOf(order.orderId)).toHaveLength(1);

    await expect
      .poll(() => reported(order.orderId))
      .toMatchObject({
        status: 'paid',
        amountPaid: paid.amount,
        refunded: paid.amount,
      });
    const after = (await t.admin.analytics.sales.query({})).totals.find(
      (row) => row.currency === 'eur',
    )!;
    expect(after.revenue - (before?.revenue ?? 0)).toBe(paid.amount);
    expect(after.refunded - (before?.refunded ?? 0)).toBe(paid.amount);
    expect(await availableOf(t, SKU)).toBe(available);
  });

  it('records partial refunds in any order of delivery, each once', async () => {
    const order = await paidShirts(3);
    // Both refunds made while Stripe's notices are held back.
    t.sandbox.setWebhookUrl(undefined);
    try {
      await t.sandbox.refund(order.sessionId, 1000);
      await t.sandbox.refund(order.sessionId, 500);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
    const [first, second] = chargeRefunded(order.sessionId).map((e) => JSON.stringify(e));
    expect(second).toBeDefined();

    // The second notice first: the charge's refunds are listed, and both are recorded by it,
    // each with its own amount; the others find nothing left to record.
    expect((await deliver(t, t.url, second!)).status).toBe(200);
    expect((await deliver(t, t.url, first!)).status).toBe(200);
    expect((await deliver(t, t.url, second!)).status).toBe(200);
    expect(await refundsOf(order.orderId)).toEqual([
      expect.objectContaining({ amount: 1000, refunded: 1000 }),
      expect.objectContaining({ amount: 500, refunded: 1500 }),
    ]);
    await expect.poll(() => reported(order.orderId)).toMatchObject({ refunded: 1500 });
  });

  it('takes back a refund that failed since, once, and records the one made again', async () => {
    const before = (await t.admin.analytics.sales.query({})).totals.find(
      (row) => row.currency === 'eur',
    );
    const order = await paidShirts(1);
    const refund = await t.sandbox.refund(order.sessionId, 700);
    await t.sandbox.idle();
    await t.sandbox.failRefund(refund.id, 'expired_or_canceled_card');
    await t.sandbox.idle();
    // Delivered again: nothing more.
    const updated = t.sandbox.events().filter((e) => e.type === 'charge.refund.updated');
    t.sandbox.resend(updated.at(-1)!.id);
    await t.sandbox.idle();

    const recorded = async () =>
      (await orderEvents(t.app.services.store, order.orderId))
        .filter((e) => e.type === 'PaymentRefunded' || e.type === 'RefundFailed')
        .map((e) => ({ type: e.type, ...(e.data as { amount: number; refunded: number }) }));
    expect(await recorded()).toEqual([
      expect.objectContaining({ type: 'PaymentRefunded', amount: 700, refunded: 700 }),
      expect.objectContaining({ type: 'RefundFailed', amount: 700, refunded: 0 }),
    ]);
    await expect.poll(() => reported(order.orderId)).toMatchObject({ refunded: 0 });

    // The money is back with the shop, and can be refunded again.
    await t.sandbox.refund(order.sessionId, 700);
    await t.sandbox.idle();
    expect((await recorded()).at(-1)).toMatchObject({
      type: 'PaymentRefunded',
      amount: 700,
      refunded: 700,
    });
    await expect.poll(() => reported(order.orderId)).toMatchObject({ refunded: 700 });
    const after = (await t.admin.analytics.sales.query({})).totals.find(
      (row) => row.currency === 'eur',
    )!;
    expect(after.refunded - (before?.refunded ?? 0)).toBe(700);
  });

  it('records the payment first when its webhooks were lost: a refund proves it', async () => {
    const order = await checkout(t, [{ sku: SKU, quantity: 1 }], 'refund-me@example.com');
    t.sandbox.setWebhookUrl(undefined);
    try {
      await t.sandbox.pay(order.sessionId);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
    await t.sandbox.refund(order.sessionId, 700);
    await t.sandbox.idle();

    const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
    expect(types).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'PaymentCompleted',
      'PaymentRefunded',
    ]);
    expect(await refundsOf(order.orderId)).toEqual([
      expect.objectContaining({ amount: 700, refunded: 700 }),
    ]);
  });

  it('answers 503 and records nothing while Stripe cannot say whose payment it was; the retry records it', async () => {
    const order = await paidShirts(1);
    t.sandbox.setWebhookUrl(undefined);
    try {
      await t.sandbox.refund(order.sessionId);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
    const [notice] = chargeRefunded(order.sessionId).map((e) => JSON.stringify(e));

    t.sandbox.failNext('http500', 2);
    const refused = await deliver(t, t.url, notice!);
    expect(refused.status).toBe(503);
    expect(await refundsOf(order.orderId)).toEqual([]);

    expect((await deliver(t, t.url, notice!)).status).toBe(200);
    expect(await refundsOf(order.orderId)).toHaveLength(1);
  });

  it('ignores a refund of a payment no checkout of this shop made, a charge that is not the payment, and refunds Stripe never made', async () => {
    const order = await paidShirts(1);
    const charge = t.sandbox.charge(order.sessionId)!;
    const notice = (object: Record<string, unknown>) =>
      JSON.stringify({
        id: `evt_test_${Math.random().toString(36).slice(2)}`,
        object: 'event',
        type: 'charge.refunded',
        created: Math.floor(Date.now() / 1000),
        data: { object: { ...charge, ...object } },
      });

    const elsewhere = await deliver(t, t.url, notice({ payment_intent: 'pi_3NotMadeByThisShop' }));
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.json()).toMatchObject({ ignored: 'charge.refunded' });

    const notThePayment = await deliver(t, t.url, notice({ amount: charge.amount + 1 }));
    expect(notThePayment.status).toBe(200);
    expect(await notThePayment.json()).toMatchObject({ ignored: 'refund_mismatch' });
    // The refunds recorded are those Stripe lists for the charge, not what a notice claims.
    const claimed = await deliver(
      t,
      t.url,
      notice({ amount_refunded: charge.amount, refunded: true }),
    );
    expect(claimed.status).toBe(200);
    expect(await claimed.json()).toMatchObject({ recorded: [] });

    const malformed = await deliver(t, t.url, notice({ amount: 'all of it' }));
    expect(malformed.status).toBe(400);
    expect(await countOf(t.app.services.store, order.orderId, 'PaymentRefunded')).toBe(0);
  });

  it("takes a late payment's units back at once when its refunds cannot be recorded", async () => {
    const order = await checkout(t, [{ sku: SKU, quantity: 2 }], 'refund-me@example.com');
    // The order expired and gave its stock back while the shopper paid; that payment's
    // webhooks were lost.
    t.sandbox.sendEvent('checkout.session.expired', order.sessionId);
    await t.sandbox.idle();
    await t.app.services.afterReply.settled();
    t.sandbox.setWebhookUrl(undefined);
    try {
      await t.sandbox.pay(order.sessionId);
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
    const available = await availableOf(t, SKU);
    const charge = t.sandbox.charge(order.sessionId)!;
    const notice = JSON.stringify({
      id: 'evt_test_not_the_payment',
      object: 'event',
      type: 'charge.refunded',
      created: Math.floor(Date.now() / 1000),
      data: { object: { ...charge, amount: charge.amount + 1 } },
    });

    const answer = await deliver(t, t.url, notice);
    expect(await answer.json()).toMatchObject({ ignored: 'refund_mismatch' });
    expect(await countOf(t.app.services.store, order.orderId, 'PaymentCompleted')).toBe(1);
    expect(await availableOf(t, SKU)).toBe(available - 2);
  });

  // It rebuilds from a copy of the embedded store's file: on EventStoreDB there is none.
  it.skipIf(process.env.TEST_EVENTSTORE_URL)(
    'rebuilds the same read models from the events (embedded store only: rebuilt from a copy of its file)',
    async () => {
      await expect.poll(() => checkpointPosition(t.dataDir) === headPosition(t.dataDir)).toBe(true);
      const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'refunds-rebuild-'));
      try {
        const rebuilt = readModelRows(await rebuildFromCopy(t.dataDir, copyDir));
        expect(diffRows(readModelRows(readModelsOf(t.dataDir)), rebuilt)).toEqual({});
      } finally {
        fs.rmSync(copyDir, { recursive: true, force: true });
      }
    },
  );
});
