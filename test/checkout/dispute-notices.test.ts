/**
 * Dispute notices the sandbox cannot send (an appeal won after a loss, `prevented`, an
 * inquiry's escalation, a chargeback above the charge), made from the sandbox's own notice
 * and signed with its secret as Stripe would send them, through the real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEventObject } from '../../demo/sandbox';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp, testCatalog } from '../support/app';
import { orderEvents, paidOrder } from '../support/orders';
import { deliver } from '../support/webhooks';

const SKU = 'APPEALED-MUG';
const EMAIL = 'dispute-notices@example.com';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [...testCatalog, catalogEntry(SKU, 50)] });
});
afterAll(async () => {
  await t?.close();
});

async function paid() {
  const order = await paidOrder(t, [{ sku: SKU, quantity: 1 }], EMAIL);
  await expect
    .poll(async () => (await t.client.order.get.query({ orderId: order.orderId })).status)
    .toBe('paid');
  return order;
}

const noticesOf = (disputeId: string): StripeEventObject[] =>
  t.sandbox
    .events()
    .filter(
      (e) =>
        e.type.startsWith('charge.dispute.') &&
        (e.data.object as unknown as { id: string }).id === disputeId,
    );

/** A later Stripe notice of the dispute: its first notice with `type` and dispute fields changed. */
async function later(
  disputeId: string,
  type: string,
  changes: Record<string, unknown>,
  createdAt: Date,
) {
  const [first] = noticesOf(disputeId);
  const payload = JSON.stringify({
    ...first,
    id: `evt_test_${Math.random().toString(36).slice(2)}`,
    type,
    created: Math.floor(createdAt.getTime() / 1000),
    data: { object: { ...first!.data.object, ...changes } },
  });
  const response = await deliver(t, t.url, payload);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function reported(orderId: string) {
  const { orders } = await t.admin.analytics.orders.query({
    email: 'dispute-notices@',
    pageSize: 500,
  });
  return orders.find((o) => o.orderId === orderId)!;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

describe('later dispute notices, through the webhook route', () => {
  it('an appeal won after a loss gives the loss back, on the day it was won', async () => {
    const order = await paid();
    const dispute = await t.sandbox.dispute(order.sessionId);
    await t.sandbox.closeDispute(dispute.id, 'lost');
    await t.sandbox.idle();
    await expect
      .poll(async () => (await reported(order.orderId)).lostToDisputes)
      .toBe(dispute.amount);

    expect(
      (
        await later(
          dispute.id,
          'charge.dispute.updated',
          { status: 'appeal_needs_response' },
          inDays(1),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await later(
          dispute.id,
          'charge.dispute.updated',
          { status: 'appeal_under_review' },
          inDays(2),
        )
      ).status,
    ).toBe(200);
    expect(
      (await later(dispute.id, 'charge.dispute.funds_reinstated', { status: 'won' }, inDays(40)))
        .status,
    ).toBe(200);
    expect(
      (await later(dispute.id, 'charge.dispute.closed', { status: 'won' }, inDays(40))).status,
    ).toBe(200);

    await expect
      .poll(async () => (await reported(order.orderId)).lostToDisputes, { timeout: 3_000 })
      .toBe(0);
    expect((await reported(order.orderId)).disputes[0]).toMatchObject({
      outcome: 'won',
      losses: [{ amount: dispute.amount }, { amount: -dispute.amount }],
    });
  });

  it('a dispute Stripe prevented is closed, losing nothing', async () => {
    const order = await paid();
    const dispute = await t.sandbox.dispute(order.sessionId);
    await t.sandbox.idle();
    expect(
      (await later(dispute.id, 'charge.dispute.closed', { status: 'prevented' }, inDays(1))).status,
    ).toBe(200);
    await expect
      .poll(async () => (await reported(order.orderId)).disputes[0]?.outcome ?? null, {
        timeout: 3_000,
      })
      .toBe('prevented');
    expect((await reported(order.orderId)).lostToDisputes).toBe(0);
  });

  it('an inquiry escalated to a chargeback is no longer shown as an inquiry', async () => {
    const order = await paid();
    const dispute = await t.sandbox.dispute(order.sessionId, { inquiry: true });
    await t.sandbox.idle();
    expect(
      (
        await later(
          dispute.id,
          'charge.dispute.funds_withdrawn',
          { status: 'needs_response' },
          inDays(3),
        )
      ).status,
    ).toBe(200);
    await expect
      .poll(async () => (await reported(order.orderId)).disputes[0]?.inquiry, { timeout: 3_000 })
      .toBe(false);
  });

  it('a chargeback a little above the charge is recorded, and its loss counted, at its amount', async () => {
    const order = await paid();
    // Stripe's own notices of this dispute are held back: those delivered are the bank's.
    t.sandbox.setWebhookUrl(undefined);
    let dispute: Awaited<ReturnType<typeof t.sandbox.dispute>>;
    try {
      dispute = await t.sandbox.dispute(order.sessionId);
      await t.sandbox.idle();
    } finally {
      t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    }
    const amount = dispute.amount + 50; // the bank's claim converted back at the day's rate
    const opened = await later(dispute.id, 'charge.dispute.created', { amount }, inDays(0));
    expect(opened.status).toBe(200);
    expect(opened.body).not.toHaveProperty('ignored');
    await later(dispute.id, 'charge.dispute.closed', { amount, status: 'lost' }, inDays(30));

    const types = (await orderEvents(t.app.services.store, order.orderId))
      .filter((e) => e.type === 'PaymentDisputed' || e.type === 'DisputeClosed')
      .map((e) => e.type);
    expect(types).toEqual(['PaymentDisputed', 'DisputeClosed']);
    await expect
      .poll(async () => (await reported(order.orderId)).lostToDisputes, { timeout: 3_000 })
      .toBe(amount);
  });
});
