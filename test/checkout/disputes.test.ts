/**
 * Disputes: the shopper's bank disputes a payment (the sandbox's `dispute`), and Stripe's
 * `charge.dispute.*` events are recorded on the order as PaymentDisputed and DisputeClosed,
 * each once, whatever the order or number of deliveries; a dispute lost counts in the sales
 * figures on the day it closed, the stock stays as it was, and a rebuild gives the same figures.
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

const SKU = 'DISPUTED-SCARF';
const EMAIL = 'chargeback@example.com';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [...testCatalog, catalogEntry(SKU, 20)] });
});
afterAll(async () => {
  await t?.close();
});

async function paidScarves(quantity = 1) {
  const order = await paidOrder(t, [{ sku: SKU, quantity }], EMAIL);
  await expect
    .poll(async () => (await t.client.order.get.query({ orderId: order.orderId })).status)
    .toBe('paid');
  return order;
}

const disputeEvents = async (orderId: string) =>
  (await orderEvents(t.app.services.store, orderId))
    .filter((e) => e.type === 'PaymentDisputed' || e.type === 'DisputeClosed')
    .map((e) => ({ type: e.type, ...(e.data as Record<string, unknown>) }));

/** The charge.dispute.* events the sandbox sent for the dispute, oldest first. */
const noticesOf = (disputeId: string): StripeEventObject[] =>
  t.sandbox
    .events()
    .filter(
      (e) =>
        e.type.startsWith('charge.dispute.') &&
        (e.data.object as unknown as { id: string }).id === disputeId,
    );

/** While Stripe's notices are held back. */
async function unheard<T>(act: () => Promise<T>): Promise<T> {
  t.sandbox.setWebhookUrl(undefined);
  try {
    return await act();
  } finally {
    t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
  }
}

async function reported(orderId: string) {
  const { orders } = await t.admin.analytics.orders.query({ email: 'chargeback@', pageSize: 500 });
  return orders.find((o) => o.orderId === orderId);
}

const eurTotals = async () =>
  (await t.admin.analytics.sales.query({})).totals.find((row) => row.currency === 'eur');

describe('disputes the shopper’s bank opens at Stripe', () => {
  it('records a chargeback and its loss once each, counts the loss, and leaves the stock as it was', async () => {
    const before = await eurTotals();
    const order = await paidScarves(2);
    const available = await availableOf(t, SKU);

    const dispute = await t.sandbox.dispute(order.sessionId, { reason: 'product_not_received' });
    await t.sandbox.idle();
    expect(await disputeEvents(order.orderId)).toEqual([
      expect.objectContaining({
        type: 'PaymentDisputed',
        disputeId: dispute.id,
        amount: dispute.amount,
        currency: 'eur',
        reason: 'product_not_received',
        inquiry: false,
      }),
    ]);
    await expect
      .poll(() => reported(order.orderId))
      .toMatchObject({ status: 'paid', disputes: [{ id: dispute.id, outcome: null }] });

    await t.sandbox.closeDispute(dispute.id, 'lost');
    await t.sandbox.idle();
    // Delivered again, as Stripe's retries and resends do: nothing more.
    for (const event of noticesOf(dispute.id)) t.sandbox.resend(event.id);
    await t.sandbox.idle();
    expect(await disputeEvents(order.orderId)).toEqual([
      expect.objectContaining({ type: 'PaymentDisputed' }),
      expect.objectContaining({ type: 'DisputeClosed', outcome: 'lost', lost: dispute.amount }),
    ]);

    await expect
      .poll(() => reported(order.orderId))
      .toMatchObject({
        lostToDisputes: dispute.amount,
        disputes: [{ id: dispute.id, amount: dispute.amount, outcome: 'lost' }],
      });
    const after = (await eurTotals())!;
    expect(after.lostToDisputes - (before?.lostToDisputes ?? 0)).toBe(dispute.amount);
    expect(await availableOf(t, SKU)).toBe(available);
  });

  it('records a dispute won, and an inquiry closed, as losing nothing', async () => {
    const won = await paidScarves();
    const chargeback = await t.sandbox.dispute(won.sessionId);
    await t.sandbox.closeDispute(chargeback.id, 'won');
    const asked = await paidScarves();
    const inquiry = await t.sandbox.dispute(asked.sessionId, { inquiry: true });
    await t.sandbox.closeDispute(inquiry.id, 'warning_closed');
    await t.sandbox.idle();

    expect(await disputeEvents(won.orderId)).toEqual([
      expect.objectContaining({ type: 'PaymentDisputed', inquiry: false }),
      expect.objectContaining({ type: 'DisputeClosed', outcome: 'won', lost: 0 }),
    ]);
    expect(await disputeEvents(asked.orderId)).toEqual([
      expect.objectContaining({ type: 'PaymentDisputed', inquiry: true }),
      expect.objectContaining({ type: 'DisputeClosed', outcome: 'warning_closed', lost: 0 }),
    ]);
    await expect.poll(() => reported(won.orderId)).toMatchObject({ lostToDisputes: 0 });
  });

  it('records the opening before the closing when the closing notice comes first, each once', async () => {
    const order = await paidScarves();
    const dispute = await unheard(async () => {
      const opened = await t.sandbox.dispute(order.sessionId);
      await t.sandbox.closeDispute(opened.id, 'lost');
      return opened;
    });
    const notices = noticesOf(dispute.id).map((e) => JSON.stringify(e));
    expect(notices).toHaveLength(3);

    for (const notice of [...notices].reverse())
      expect((await deliver(t, t.url, notice)).status).toBe(200);
    expect((await disputeEvents(order.orderId)).map((e) => e.type)).toEqual([
      'PaymentDisputed',
      'DisputeClosed',
    ]);
  });

  it('records the payment first when its webhooks were lost: a dispute proves it', async () => {
    const order = await checkout(t, [{ sku: SKU, quantity: 1 }], EMAIL);
    await unheard(() => t.sandbox.pay(order.sessionId));
    await t.sandbox.dispute(order.sessionId);
    await t.sandbox.idle();

    const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
    expect(types).toEqual([
      'CartValidated',
      'CheckoutStarted',
      'PaymentCompleted',
      'PaymentDisputed',
    ]);
  });

  it('answers 503 and records nothing while Stripe cannot be asked; the retry records it', async () => {
    const order = await paidScarves();
    const dispute = await unheard(() => t.sandbox.dispute(order.sessionId));
    const [created] = noticesOf(dispute.id).map((e) => JSON.stringify(e));

    t.sandbox.failNext('http500', 2);
    expect((await deliver(t, t.url, created!)).status).toBe(503);
    expect(await disputeEvents(order.orderId)).toEqual([]);

    expect((await deliver(t, t.url, created!)).status).toBe(200);
    expect(await countOf(t.app.services.store, order.orderId, 'PaymentDisputed')).toBe(1);
  });

  it('ignores a dispute of a charge Stripe does not have or in another currency, and refuses a malformed one', async () => {
    const order = await paidScarves();
    const dispute = await unheard(() => t.sandbox.dispute(order.sessionId));
    const [created] = noticesOf(dispute.id);
    const notice = (object: Record<string, unknown>) =>
      JSON.stringify({
        ...created,
        id: `evt_test_${Math.random().toString(36).slice(2)}`,
        data: { object: { ...created!.data.object, ...object } },
      });

    const elsewhere = await deliver(t, t.url, notice({ charge: 'ch_3NotMadeByThisAccount' }));
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.json()).toMatchObject({ ignored: 'charge.dispute.created' });

    const otherCurrency = await deliver(t, t.url, notice({ currency: 'usd' }));
    expect(await otherCurrency.json()).toMatchObject({ ignored: 'dispute_mismatch' });

    const malformed = await deliver(t, t.url, notice({ amount: 'all of it' }));
    expect(malformed.status).toBe(400);
    expect(await disputeEvents(order.orderId)).toEqual([]);
  });

  // It rebuilds from a copy of the embedded store's file: on EventStoreDB there is none.
  it.skipIf(process.env.TEST_EVENTSTORE_URL)(
    'rebuilds the same read models from the events (embedded store only: rebuilt from a copy of its file)',
    async () => {
      await expect.poll(() => checkpointPosition(t.dataDir) === headPosition(t.dataDir)).toBe(true);
      const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'disputes-rebuild-'));
      try {
        const rebuilt = readModelRows(await rebuildFromCopy(t.dataDir, copyDir));
        expect(diffRows(readModelRows(readModelsOf(t.dataDir)), rebuilt)).toEqual({});
      } finally {
        fs.rmSync(copyDir, { recursive: true, force: true });
      }
    },
  );
});
