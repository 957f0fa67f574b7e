import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxDisputeOptions, startSandbox } from '../../demo/sandbox';
import { DEFAULT_STRIPE_DATA_DIR } from '../../demo/sandbox/fixtures';
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

const fixture = JSON.parse(readFileSync(`${DEFAULT_STRIPE_DATA_DIR}/fixtures3.json`, 'utf8'))
  .resources.dispute as Record<string, Record<string, unknown>>;

async function paidSession() {
  const created = await stripe.checkout.sessions.create(sessionParams());
  await sandbox.pay(created.id);
  const session = await stripe.checkout.sessions.retrieve(created.id);
  const charge = sandbox.charge(session.id)!;
  return { sessionId: session.id, paymentIntent: session.payment_intent as string, charge };
}

async function disputed(options?: SandboxDisputeOptions) {
  const paid = await paidSession();
  return { ...paid, dispute: await sandbox.dispute(paid.sessionId, options) };
}

/** Every webhook that arrived for one payment intent, verified, in arrival order. */
async function webhooksFor(paymentIntent: string): Promise<Stripe.Event[]> {
  await sandbox.idle();
  return receiver.received
    .map((webhook) => verify(webhook, sandbox.webhookSecret))
    .filter(
      (event) =>
        (event.data.object as { payment_intent?: string }).payment_intent === paymentIntent,
    );
}

/** The charge.dispute.* webhooks of one payment intent, in arrival order. */
async function disputeEventsFor(paymentIntent: string): Promise<Stripe.Event[]> {
  return (await webhooksFor(paymentIntent)).filter((event) =>
    event.type.startsWith('charge.dispute.'),
  );
}

const disputeIn = (event: Stripe.Event) => event.data.object as Stripe.Dispute;
const typesAndStatus = (events: Stripe.Event[]) =>
  events.map((event) => [event.type, disputeIn(event).status]);

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

describe('a chargeback (sandbox.dispute)', () => {
  it('is a Dispute shaped like Stripe fixtures, for all of the charge, and marks the charge disputed', async () => {
    const { sessionId, paymentIntent, charge } = await paidSession();
    expect(charge.disputed).toBe(false);
    const dispute = await sandbox.dispute(sessionId);

    expect(dispute.id).toMatch(/^dp_/);
    expect(dispute).toMatchObject({
      object: 'dispute',
      charge: charge.id,
      payment_intent: paymentIntent,
      amount: TOTAL,
      currency: 'eur',
      reason: 'fraudulent',
      status: 'needs_response',
      is_charge_refundable: false,
      balance_transactions: [],
      metadata: {},
      livemode: false,
    });
    expect(dispute.created).toBeGreaterThanOrEqual(charge.created);
    expect(Object.keys(dispute)).toEqual(expect.arrayContaining(Object.keys(fixture)));
    // Evidence as a new dispute has it: every field of Stripe's, none filled in.
    expect(Object.keys(dispute.evidence)).toEqual(Object.keys(fixture.evidence!));
    expect(dispute.evidence.customer_name).toBeNull();
    expect(dispute.evidence_details).toMatchObject({
      due_by: dispute.created + 21 * 86_400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    });
    expect(Object.keys(dispute.evidence_details)).toEqual(
      expect.arrayContaining(Object.keys(fixture.evidence_details!)),
    );

    await expect(stripe.disputes.retrieve(dispute.id)).resolves.toMatchObject({ ...dispute });
    await expect(stripe.charges.retrieve(charge.id)).resolves.toMatchObject({
      id: charge.id,
      disputed: true,
      amount_refunded: 0,
    });
    expect(sandbox.charge(sessionId)!.disputed).toBe(true);
  });

  it('sends signed charge.dispute.created then charge.dispute.funds_withdrawn, carrying the dispute and the session api version', async () => {
    const { sessionId, paymentIntent, dispute } = await disputed({
      reason: 'product_unacceptable',
    });
    const events = await disputeEventsFor(paymentIntent);
    expect(typesAndStatus(events)).toEqual([
      ['charge.dispute.created', 'needs_response'],
      ['charge.dispute.funds_withdrawn', 'needs_response'],
    ]);
    for (const event of events) {
      expect(event.data.object).toEqual({ ...dispute });
      expect(disputeIn(event)).toMatchObject({
        object: 'dispute',
        charge: sandbox.charge(sessionId)!.id,
        payment_intent: paymentIntent,
        amount: TOTAL,
        reason: 'product_unacceptable',
      });
      // Opened by the bank, not through the API: no request to name.
      expect(event.request).toEqual({ id: null, idempotency_key: null });
    }
    const completed = (await webhooksFor(paymentIntent)).find(
      (event) => event.type === 'checkout.session.completed',
    );
    expect(completed!.api_version).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(events.map((event) => event.api_version)).toEqual([
      completed!.api_version,
      completed!.api_version,
    ]);
  });

  it('won: funds_reinstated then closed, both with the dispute won', async () => {
    const { paymentIntent, dispute } = await disputed();
    const won = await sandbox.closeDispute(dispute.id, 'won');
    expect(won).toMatchObject({ id: dispute.id, status: 'won' });
    expect(typesAndStatus(await disputeEventsFor(paymentIntent))).toEqual([
      ['charge.dispute.created', 'needs_response'],
      ['charge.dispute.funds_withdrawn', 'needs_response'],
      ['charge.dispute.funds_reinstated', 'won'],
      ['charge.dispute.closed', 'won'],
    ]);
    await expect(stripe.disputes.retrieve(dispute.id)).resolves.toMatchObject({ status: 'won' });
  });

  it('lost: closed only, with the dispute lost; the charge stays disputed', async () => {
    const { sessionId, paymentIntent, dispute } = await disputed();
    expect((await sandbox.closeDispute(dispute.id, 'lost')).status).toBe('lost');
    expect(typesAndStatus(await disputeEventsFor(paymentIntent))).toEqual([
      ['charge.dispute.created', 'needs_response'],
      ['charge.dispute.funds_withdrawn', 'needs_response'],
      ['charge.dispute.closed', 'lost'],
    ]);
    expect(sandbox.charge(sessionId)).toMatchObject({ disputed: true, amount_refunded: 0 });
  });

  it('after a partial refund, disputes what is left by default', async () => {
    const { sessionId, paymentIntent } = await paidSession();
    await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1000 });
    await expect(sandbox.dispute(sessionId, { amount: TOTAL - 999 })).rejects.toThrow(
      'Dispute amount (€20.00) is greater than unrefunded amount on charge (€19.99)',
    );
    const dispute = await sandbox.dispute(sessionId);
    expect(dispute.amount).toBe(TOTAL - 1000);
    expect(disputeIn((await disputeEventsFor(paymentIntent))[0]!).amount).toBe(TOTAL - 1000);
  });

  it('refuses a refund once charged back (charge_disputed)', async () => {
    const { paymentIntent, charge } = await disputed();
    const error = await stripeError(stripe.refunds.create({ payment_intent: paymentIntent }));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('charge_disputed');
    expect(error.message).toBe(`Charge ${charge.id} has been charged back; cannot issue a refund.`);
    expect((await webhooksFor(paymentIntent)).map((event) => event.type)).not.toContain(
      'charge.refunded',
    );
  });
});

describe('an inquiry', () => {
  it('is warning_needs_response, sends charge.dispute.created only, and leaves the charge refundable', async () => {
    const { sessionId, paymentIntent, dispute } = await disputed({
      inquiry: true,
      amount: 1000,
      reason: 'product_not_received',
    });
    expect(dispute).toMatchObject({
      status: 'warning_needs_response',
      amount: 1000,
      reason: 'product_not_received',
      is_charge_refundable: true,
    });
    expect(typesAndStatus(await disputeEventsFor(paymentIntent))).toEqual([
      ['charge.dispute.created', 'warning_needs_response'],
    ]);
    expect(sandbox.charge(sessionId)!.disputed).toBe(true);
    const refund = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 500 });
    expect(refund.status).toBe('succeeded');
  });

  it('closes as warning_closed, sending charge.dispute.closed', async () => {
    const { paymentIntent, dispute } = await disputed({ inquiry: true });
    const closed = await sandbox.closeDispute(dispute.id, 'warning_closed');
    expect(closed.status).toBe('warning_closed');
    expect(typesAndStatus(await disputeEventsFor(paymentIntent))).toEqual([
      ['charge.dispute.created', 'warning_needs_response'],
      ['charge.dispute.closed', 'warning_closed'],
    ]);
  });
});

describe('refusals', () => {
  it('sandbox.dispute throws for an unknown or unpaid session, and for a charge refunded in full', async () => {
    await expect(sandbox.dispute('cs_test_unknown')).rejects.toThrow(
      "No such checkout.session: 'cs_test_unknown'",
    );
    const open = await stripe.checkout.sessions.create(sessionParams());
    await expect(sandbox.dispute(open.id)).rejects.toThrow(
      'is open and unpaid: nothing to dispute',
    );
    expect(sandbox.charge(open.id)).toBeUndefined();

    const { sessionId, paymentIntent, charge } = await paidSession();
    await stripe.refunds.create({ payment_intent: paymentIntent });
    await expect(sandbox.dispute(sessionId)).rejects.toThrow(
      `Charge ${charge.id} has been refunded in full: nothing to dispute.`,
    );
    expect(await disputeEventsFor(paymentIntent)).toEqual([]);
  });

  it('one dispute per charge, for no more than the charge', async () => {
    const { sessionId, paymentIntent, charge } = await paidSession();
    await expect(sandbox.dispute(sessionId, { amount: TOTAL + 1 })).rejects.toThrow(
      'Dispute amount (€30.00) is greater than unrefunded amount on charge (€29.99)',
    );
    await expect(sandbox.dispute(sessionId, { amount: 0 })).rejects.toThrow(RangeError);
    const first = await sandbox.dispute(sessionId, { amount: 100 });
    await expect(sandbox.dispute(sessionId, { inquiry: true })).rejects.toThrow(
      `Charge ${charge.id} has already been disputed (${first.id}).`,
    );
    expect((await disputeEventsFor(paymentIntent)).map((event) => event.type)).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
    ]);
  });

  it("closeDispute refuses the other kind's outcome, a second close and an unknown id", async () => {
    const chargeback = await disputed();
    await expect(sandbox.closeDispute(chargeback.dispute.id, 'warning_closed')).rejects.toThrow(
      `Dispute ${chargeback.dispute.id} is a chargeback: it closes as won or lost, not warning_closed.`,
    );
    const inquiry = await disputed({ inquiry: true });
    await expect(sandbox.closeDispute(inquiry.dispute.id, 'won')).rejects.toThrow(
      `Dispute ${inquiry.dispute.id} is an inquiry: it closes as warning_closed, not won.`,
    );

    await sandbox.closeDispute(chargeback.dispute.id, 'won');
    await expect(sandbox.closeDispute(chargeback.dispute.id, 'lost')).rejects.toThrow(
      `Dispute ${chargeback.dispute.id} is already closed: its status is won.`,
    );
    await expect(sandbox.closeDispute('dp_unknown', 'lost')).rejects.toThrow(
      "No such dispute: 'dp_unknown'",
    );
    expect(typesAndStatus(await disputeEventsFor(chargeback.paymentIntent)).slice(2)).toEqual([
      ['charge.dispute.funds_reinstated', 'won'],
      ['charge.dispute.closed', 'won'],
    ]);
    expect(await disputeEventsFor(inquiry.paymentIntent)).toHaveLength(1);
  });
});

describe('POST /v1/disputes/:id/close', () => {
  it('accepts a chargeback: lost, with charge.dispute.closed naming the request', async () => {
    const { paymentIntent, dispute } = await disputed();
    const closed = await stripe.disputes.close(dispute.id, {}, { idempotencyKey: 'close-1' });
    expect(closed).toMatchObject({ id: dispute.id, object: 'dispute', status: 'lost' });

    const events = await disputeEventsFor(paymentIntent);
    expect(typesAndStatus(events).at(-1)).toEqual(['charge.dispute.closed', 'lost']);
    expect(events.at(-1)!.request).toEqual({
      id: closed.lastResponse.requestId,
      idempotency_key: 'close-1',
    });
    expect(disputeIn(events.at(-1)!)).toEqual({ ...closed });
  });

  it('closes an inquiry as warning_closed', async () => {
    const { dispute } = await disputed({ inquiry: true });
    await expect(stripe.disputes.close(dispute.id)).resolves.toMatchObject({
      status: 'warning_closed',
    });
  });

  it('refuses to close a closed dispute (400) and an unknown one (404), sending nothing', async () => {
    const { paymentIntent, dispute } = await disputed();
    await sandbox.closeDispute(dispute.id, 'won');
    const again = await stripeError(stripe.disputes.close(dispute.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.statusCode).toBe(400);
    expect(again.type).toBe('StripeInvalidRequestError');
    expect(again.message).toBe(`Dispute ${dispute.id} is already closed: its status is won.`);
    expect(await disputeEventsFor(paymentIntent)).toHaveLength(4);

    const unknown = await stripeError(stripe.disputes.close('dp_unknown'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.code).toBe('resource_missing');
    expect(unknown.message).toBe("No such dispute: 'dp_unknown'");
    const retrieve = await stripeError(stripe.disputes.retrieve('dp_unknown'));
    expect([retrieve.statusCode, retrieve.code, retrieve.param]).toEqual([
      404,
      'resource_missing',
      'dispute',
    ]);
  });
});

describe('GET /v1/disputes', () => {
  it('filters by charge and payment intent, newest first, and pages', async () => {
    const older = await disputed();
    const newer = await disputed({ inquiry: true });
    await paidSession();

    const byCharge = await stripe.disputes.list({ charge: older.charge.id });
    expect(byCharge).toMatchObject({ object: 'list', has_more: false, url: '/v1/disputes' });
    expect(byCharge.data).toEqual([{ ...older.dispute }]);
    const byIntent = await stripe.disputes.list({ payment_intent: newer.paymentIntent });
    expect(byIntent.data.map((d) => d.id)).toEqual([newer.dispute.id]);
    expect((await stripe.disputes.list({ charge: 'ch_none' })).data).toEqual([]);

    const page = await stripe.disputes.list({ limit: 1 });
    expect([page.data.map((d) => d.id), page.has_more]).toEqual([[newer.dispute.id], true]);
    const next = await stripe.disputes.list({ limit: 1, starting_after: newer.dispute.id });
    expect(next.data.map((d) => d.id)).toEqual([older.dispute.id]);
  });

  it('refuses a filter it does not take and an unknown starting_after', async () => {
    const unknown = await stripeError(stripe.disputes.list({ created: 1 }));
    expect([unknown.code, unknown.param]).toEqual(['parameter_unknown', 'created']);
    const missing = await stripeError(stripe.disputes.list({ starting_after: 'dp_unknown' }));
    expect([missing.statusCode, missing.param]).toEqual([404, 'starting_after']);
  });
});

describe('control routes', () => {
  it('POST /_sandbox/sessions/:id/dispute opens one, with or without a body', async () => {
    const first = await paidSession();
    const chargeback = await control(`/sessions/${first.sessionId}/dispute`);
    expect(chargeback.status).toBe(200);
    expect(await chargeback.json()).toMatchObject({
      object: 'dispute',
      amount: TOTAL,
      status: 'needs_response',
    });

    const second = await paidSession();
    const inquiry = await control(`/sessions/${second.sessionId}/dispute`, {
      amount: 700,
      reason: 'duplicate',
      inquiry: true,
    });
    expect(await inquiry.json()).toMatchObject({
      amount: 700,
      reason: 'duplicate',
      status: 'warning_needs_response',
    });
    expect((await disputeEventsFor(second.paymentIntent)).map((event) => event.type)).toEqual([
      'charge.dispute.created',
    ]);
  });

  it('refuses a body it does not know, an unknown session and a second dispute', async () => {
    const { sessionId, charge } = await paidSession();
    expect((await control(`/sessions/${sessionId}/dispute`, { reason: 'bored' })).status).toBe(400);
    expect((await control(`/sessions/${sessionId}/dispute`, { colour: 'red' })).status).toBe(400);
    expect((await control('/sessions/cs_test_unknown/dispute')).status).toBe(404);
    expect(sandbox.charge(sessionId)!.disputed).toBe(false);

    await control(`/sessions/${sessionId}/dispute`);
    const again = await control(`/sessions/${sessionId}/dispute`);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toMatch(
      new RegExp(`^Charge ${charge.id} has already been disputed`),
    );
  });

  it('POST /_sandbox/disputes/:id/close takes the outcome; 400 for the wrong one, 404 for an unknown id', async () => {
    const { paymentIntent, dispute } = await disputed();
    const wrong = await control(`/disputes/${dispute.id}/close`, { outcome: 'warning_closed' });
    expect(wrong.status).toBe(400);
    expect((await control(`/disputes/${dispute.id}/close`)).status).toBe(400);
    expect((await control('/disputes/dp_unknown/close', { outcome: 'won' })).status).toBe(404);

    const won = await control(`/disputes/${dispute.id}/close`, { outcome: 'won' });
    expect(await won.json()).toMatchObject({ id: dispute.id, status: 'won' });
    expect((await disputeEventsFor(paymentIntent)).map((event) => event.type)).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.dispute.funds_reinstated',
      'charge.dispute.closed',
    ]);
  });
});

describe('dispute dates', () => {
  it('a dispute is dated by the sandbox clock', async () => {
    const own = await startSandbox();
    try {
      const created = await stripeFor(own).checkout.sessions.create(sessionParams());
      await own.pay(created.id);
      const paidAt = own.charge(created.id)!.created;
      const day = 86_400;
      own.advanceClock(day * 1000);
      const dispute = await own.dispute(created.id);
      expect(dispute.created).toBeGreaterThanOrEqual(paidAt + day);
      expect(dispute.created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + day);
      expect(own.events().at(-1)!.created).toBe(dispute.created);
    } finally {
      await own.close();
    }
  });
});
