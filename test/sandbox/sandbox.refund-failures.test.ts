import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RefundFailureReason, type Sandbox, startSandbox } from '../../demo/sandbox';
import { DEFAULT_STRIPE_DATA_DIR } from '../../demo/sandbox/fixtures';
import { REFUND_FAILURE_REASONS } from '../../demo/sandbox/refundParams';
import { type Receiver, sessionParams, startReceiver, stripeFor, verify } from './helpers';

let sandbox: Sandbox;
let stripe: Stripe;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ webhookUrl: receiver.url, retryInitialDelayMs: 50 });
  stripe = stripeFor(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
afterEach(async () => {
  await sandbox.idle();
});

/** What sessionParams() costs: 2 × €12.50 + €4.99. */
const TOTAL = 2999;

async function paidSession() {
  const created = await stripe.checkout.sessions.create(sessionParams());
  await sandbox.pay(created.id);
  const session = await stripe.checkout.sessions.retrieve(created.id);
  return { sessionId: session.id, paymentIntent: session.payment_intent as string };
}

/**
 * A paid session refunded through the API, in full or `amount`, its webhooks delivered: a
 * bank fails a refund days later, and deliveries sent together may arrive in any order.
 */
async function refunded(amount?: number) {
  const paid = await paidSession();
  const refund = await stripe.refunds.create({
    payment_intent: paid.paymentIntent,
    ...(amount === undefined ? {} : { amount }),
  });
  await sandbox.idle();
  return { ...paid, refund, chargeId: refund.charge as string };
}

/** The refund webhooks that arrived for one payment intent, verified, in arrival order. */
async function refundEventsFor(paymentIntent: string): Promise<Stripe.Event[]> {
  await sandbox.idle();
  return receiver.received
    .map((webhook) => verify(webhook, sandbox.webhookSecret))
    .filter(
      (event) =>
        ['charge.refunded', 'refund.created', 'charge.refund.updated'].includes(event.type) &&
        (event.data.object as { payment_intent?: string }).payment_intent === paymentIntent,
    );
}

async function stripeError(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeError);
  return error as Stripe.errors.StripeError;
}

function control(path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/_sandbox${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sandbox.secretKey}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('sandbox.failRefund', () => {
  it('marks the refund failed, lost_or_stolen_card by default, and sends charge.refund.updated with it', async () => {
    const { paymentIntent, refund } = await refunded();
    const failed = await sandbox.failRefund(refund.id);
    expect(failed).toMatchObject({
      id: refund.id,
      object: 'refund',
      amount: TOTAL,
      charge: refund.charge,
      payment_intent: paymentIntent,
      status: 'failed',
      failure_reason: 'lost_or_stolen_card',
    });

    const events = await refundEventsFor(paymentIntent);
    expect(events.map((event) => event.type)).toEqual([
      'charge.refunded',
      'refund.created',
      'charge.refund.updated',
    ]);
    const updated = events[2]!;
    expect(updated.data.object).toEqual(failed);
    expect(updated.data.previous_attributes).toEqual({ status: 'succeeded' });
    // The bank's doing, not an API call: no request to name.
    expect(updated.request).toEqual({ id: null, idempotency_key: null });
    // The charge's api version, as its refund events carry: the package's, which made the session.
    expect(updated.api_version).toBe(Stripe.API_VERSION);
  });

  it('gives the amount back to the charge: amount_refunded drops, refunded is false again', async () => {
    const { refund, chargeId } = await refunded();
    await expect(stripe.charges.retrieve(chargeId)).resolves.toMatchObject({
      amount_refunded: TOTAL,
      refunded: true,
    });
    await sandbox.failRefund(refund.id);
    await expect(stripe.charges.retrieve(chargeId)).resolves.toMatchObject({
      amount_refunded: 0,
      refunded: false,
    });
  });

  it('of two partial refunds, takes back only the failed one', async () => {
    const { paymentIntent, refund: first, chargeId } = await refunded(1000);
    const second = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 500 });
    await sandbox.failRefund(first.id);
    const charge = await stripe.charges.retrieve(chargeId);
    expect([charge.amount_refunded, charge.refunded]).toEqual([500, false]);
    const list = await stripe.refunds.list({ charge: chargeId });
    expect(list.data.map((r) => [r.id, r.status])).toEqual([
      [second.id, 'succeeded'],
      [first.id, 'failed'],
    ]);
  });

  it('takes the reason the bank gives', async () => {
    const { paymentIntent, refund } = await refunded();
    const failed = await sandbox.failRefund(refund.id, 'expired_or_canceled_card');
    expect(failed.failure_reason).toBe('expired_or_canceled_card');
    const [, , updated] = await refundEventsFor(paymentIntent);
    expect((updated!.data.object as Stripe.Refund).failure_reason).toBe('expired_or_canceled_card');
  });

  it('lets the returned amount be refunded again', async () => {
    const { paymentIntent, refund, chargeId } = await refunded();
    await sandbox.failRefund(refund.id);
    await sandbox.idle();
    const again = await stripe.refunds.create({ payment_intent: paymentIntent });
    expect(again).toMatchObject({ amount: TOTAL, status: 'succeeded' });
    await expect(stripe.charges.retrieve(chargeId)).resolves.toMatchObject({
      amount_refunded: TOTAL,
      refunded: true,
    });
    const events = await refundEventsFor(paymentIntent);
    expect(events.map((event) => event.type)).toEqual([
      'charge.refunded',
      'refund.created',
      'charge.refund.updated',
      'charge.refunded',
      'refund.created',
    ]);
    expect((events[3]!.data.object as Stripe.Charge).amount_refunded).toBe(TOTAL);
  });

  it('refuses an unknown refund and one already failed, sending nothing more', async () => {
    await expect(sandbox.failRefund('re_unknown')).rejects.toThrow("No such refund: 're_unknown'");

    const { paymentIntent, refund, chargeId } = await refunded(1000);
    await sandbox.failRefund(refund.id);
    await expect(sandbox.failRefund(refund.id)).rejects.toThrow(
      `Refund ${refund.id} has already failed.`,
    );
    // The amount came back once, not twice.
    expect((await stripe.charges.retrieve(chargeId)).amount_refunded).toBe(0);
    expect((await refundEventsFor(paymentIntent)).map((event) => event.type)).toEqual([
      'charge.refunded',
      'refund.created',
      'charge.refund.updated',
    ]);
    await expect(
      sandbox.failRefund(refund.id, 'insufficient_funds' as RefundFailureReason),
    ).rejects.toThrow(RangeError);
  });

  it("takes the failure reasons Stripe's spec lists", () => {
    const spec = JSON.parse(
      readFileSync(`${DEFAULT_STRIPE_DATA_DIR}/spec3-2020-08-27.json`, 'utf8'),
    );
    const description: string =
      spec.components.schemas.refund.properties.failure_reason.description;
    const named = description.match(/`[a-z_]+`/g)!.map((quoted) => quoted.slice(1, -1));
    expect(named.sort()).toEqual([...REFUND_FAILURE_REASONS].sort());
  });
});

describe('GET /v1/refunds', () => {
  it('retrieves a refund by id, succeeded without failure_reason, then failed with it', async () => {
    const { refund } = await refunded(700);
    const before = await stripe.refunds.retrieve(refund.id);
    expect({ ...before }).toEqual({ ...refund });
    expect(before).not.toHaveProperty('failure_reason');

    await sandbox.failRefund(refund.id);
    await expect(stripe.refunds.retrieve(refund.id)).resolves.toMatchObject({
      id: refund.id,
      amount: 700,
      status: 'failed',
      failure_reason: 'lost_or_stolen_card',
    });
  });

  it('answers an unknown refund with 404 resource_missing', async () => {
    const error = await stripeError(stripe.refunds.retrieve('re_unknown'));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('resource_missing');
    expect(error.param).toBe('id');
    expect(error.message).toBe("No such refund: 're_unknown'");
  });

  it('lists a failed refund as failed, by payment intent too', async () => {
    const { paymentIntent, refund } = await refunded();
    await sandbox.failRefund(refund.id, 'unknown');
    const list = await stripe.refunds.list({ payment_intent: paymentIntent });
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({
      id: refund.id,
      status: 'failed',
      failure_reason: 'unknown',
    });
  });
});

describe('POST /_sandbox/refunds/:id/fail', () => {
  it('fails a refund for another process, with the default reason or the one given', async () => {
    const first = await refunded(1000);
    const response = await control(`/refunds/${first.refund.id}/fail`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: first.refund.id,
      status: 'failed',
      failure_reason: 'lost_or_stolen_card',
    });

    const second = await refunded(1000);
    const withReason = await control(`/refunds/${second.refund.id}/fail`, {
      reason: 'expired_or_canceled_card',
    });
    expect(await withReason.json()).toMatchObject({ failure_reason: 'expired_or_canceled_card' });
    expect((await stripe.charges.retrieve(second.chargeId)).amount_refunded).toBe(0);
  });

  it('answers 404 for an unknown refund, 400 for a second failure or a body it does not take', async () => {
    const unknown = await control('/refunds/re_unknown/fail');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "No such refund: 're_unknown'" });

    const { paymentIntent, refund } = await refunded();
    expect((await control(`/refunds/${refund.id}/fail`, { reason: 'closed' })).status).toBe(400);
    expect((await control(`/refunds/${refund.id}/fail`, { amount: 1 })).status).toBe(400);
    expect((await control(`/refunds/${refund.id}/fail`)).status).toBe(200);
    const twice = await control(`/refunds/${refund.id}/fail`);
    expect(twice.status).toBe(400);
    expect(await twice.json()).toEqual({ error: `Refund ${refund.id} has already failed.` });
    expect((await refundEventsFor(paymentIntent)).map((event) => event.type)).toEqual([
      'charge.refunded',
      'refund.created',
      'charge.refund.updated',
    ]);
  });
});
