import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../demo/sandbox';
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

function fixtureKeys(resource: string): string[] {
  const fixtures = JSON.parse(readFileSync(`${DEFAULT_STRIPE_DATA_DIR}/fixtures3.json`, 'utf8'));
  return Object.keys(fixtures.resources[resource]);
}

async function paidSession(paymentMethod?: Parameters<Sandbox['pay']>[1]) {
  const created = await stripe.checkout.sessions.create(sessionParams());
  await sandbox.pay(created.id, paymentMethod);
  const session = await stripe.checkout.sessions.retrieve(created.id);
  return { sessionId: session.id, paymentIntent: session.payment_intent as string };
}

/** The refund webhooks that arrived for one payment intent, verified, in arrival order. */
async function refundEventsFor(paymentIntent: string): Promise<Stripe.Event[]> {
  await sandbox.idle();
  return receiver.received
    .map((webhook) => verify(webhook, sandbox.webhookSecret))
    .filter(
      (event) =>
        (event.type === 'charge.refunded' || event.type === 'refund.created') &&
        (event.data.object as { payment_intent?: string }).payment_intent === paymentIntent,
    );
}

const chargeIn = (event: Stripe.Event) => event.data.object as Stripe.Charge;

async function refusal(params: Stripe.RefundCreateParams): Promise<Stripe.errors.StripeError> {
  const error = await stripe.refunds.create(params).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeError);
  return error as Stripe.errors.StripeError;
}

describe('POST /v1/refunds', () => {
  it('refunds all by default: a Refund shaped like Stripe fixtures, then signed charge.refunded and refund.created', async () => {
    const { sessionId, paymentIntent } = await paidSession();
    const refund = await stripe.refunds.create({
      payment_intent: paymentIntent,
      reason: 'requested_by_customer',
      metadata: { note: 'broken sleeve' },
    });

    expect(refund.id).toMatch(/^re_/);
    expect(refund).toMatchObject({
      object: 'refund',
      amount: TOTAL,
      currency: 'eur',
      payment_intent: paymentIntent,
      reason: 'requested_by_customer',
      status: 'succeeded',
      metadata: { note: 'broken sleeve' },
    });
    expect(refund.charge).toMatch(/^ch_/);
    expect(Object.keys(refund)).toEqual(expect.arrayContaining(fixtureKeys('refund')));

    const events = await refundEventsFor(paymentIntent);
    expect(events.map((event) => event.type)).toEqual(['charge.refunded', 'refund.created']);
    const charge = chargeIn(events[0]!);
    expect(charge).toMatchObject({
      id: refund.charge,
      object: 'charge',
      amount: TOTAL,
      amount_captured: TOTAL,
      amount_refunded: TOTAL,
      refunded: true,
      currency: 'eur',
      payment_intent: paymentIntent,
      paid: true,
      captured: true,
      status: 'succeeded',
      metadata: {},
      livemode: false,
    });
    expect(Object.keys(charge)).toEqual(expect.arrayContaining(fixtureKeys('charge')));
    expect(events[1]!.data.object).toEqual({ ...refund });
    expect(events[0]!.request?.id).toBe(refund.lastResponse.requestId);
    expect(sandbox.charge(sessionId)).toEqual(charge);
  });

  it('two partial refunds: each charge.refunded carries the total refunded so far, refunded only at the end', async () => {
    const { sessionId, paymentIntent } = await paidSession();
    const first = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1000 });
    const second = await stripe.refunds.create({ payment_intent: paymentIntent });
    expect([first.amount, second.amount]).toEqual([1000, TOTAL - 1000]);
    expect(second.charge).toBe(first.charge);

    const charges = (await refundEventsFor(paymentIntent))
      .filter((event) => event.type === 'charge.refunded')
      .map(chargeIn);
    expect(charges.map(({ amount_refunded, refunded }) => ({ amount_refunded, refunded }))).toEqual(
      [
        { amount_refunded: 1000, refunded: false },
        { amount_refunded: TOTAL, refunded: true },
      ],
    );
    // Sent events are snapshots: the second refund does not rewrite the first one's charge.
    const recorded = sandbox
      .events()
      .filter((event) => event.type === 'charge.refunded' && event.data.object.id === first.charge);
    expect(recorded.map((event) => event.data.object.amount_refunded)).toEqual([1000, TOTAL]);
    expect(sandbox.charge(sessionId)).toMatchObject({ amount_refunded: TOTAL, refunded: true });
  });

  it('refuses more than what remains, in Stripe words, and sends nothing', async () => {
    const { paymentIntent } = await paidSession();
    const tooMuch = await refusal({ payment_intent: paymentIntent, amount: TOTAL + 1 });
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.param).toBe('amount');
    expect(tooMuch.message).toBe(
      'Refund amount (€30.00) is greater than unrefunded amount on charge (€29.99)',
    );

    await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1000 });
    const pastTheRest = await refusal({ payment_intent: paymentIntent, amount: 2000 });
    expect(pastTheRest.message).toBe(
      'Refund amount (€20.00) is greater than unrefunded amount on charge (€19.99)',
    );
    expect((await refundEventsFor(paymentIntent)).map((event) => event.type)).toEqual([
      'charge.refunded',
      'refund.created',
    ]);
  });

  it('refuses a charge already refunded in full (charge_already_refunded)', async () => {
    const { paymentIntent } = await paidSession();
    const refund = await stripe.refunds.create({ payment_intent: paymentIntent });
    const again = await refusal({ payment_intent: paymentIntent });
    expect(again.statusCode).toBe(400);
    expect(again.code).toBe('charge_already_refunded');
    expect(again.message).toBe(`Charge ${refund.charge} has already been refunded.`);
    expect(await refundEventsFor(paymentIntent)).toHaveLength(2);
  });

  it('refuses a payment intent whose debit is still settling, or failed', async () => {
    const settling = await paidSession({ iban: 'DE89 3704 0044 0532 0130 00' });
    const error = await refusal({ payment_intent: settling.paymentIntent });
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.param).toBe('payment_intent');
    expect(error.message).toBe(
      `This PaymentIntent (${settling.paymentIntent}) does not have a successful charge to refund.`,
    );
    expect(sandbox.charge(settling.sessionId)).toBeUndefined();
    sandbox.settle(settling.sessionId);

    const failed = await paidSession({ iban: 'DE62370400440532013001' });
    sandbox.settle(failed.sessionId);
    expect((await refusal({ payment_intent: failed.paymentIntent })).statusCode).toBe(400);
    expect(await refundEventsFor(failed.paymentIntent)).toEqual([]);
  });

  it('refunds a SEPA debit once it has settled', async () => {
    const { sessionId, paymentIntent } = await paidSession({ iban: 'DE89370400440532013000' });
    expect(sandbox.settle(sessionId)).toBe(true);
    const refund = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 500 });
    expect(refund).toMatchObject({ amount: 500, status: 'succeeded' });
    const [refunded] = await refundEventsFor(paymentIntent);
    expect(chargeIn(refunded!)).toMatchObject({ amount_refunded: 500, refunded: false });
  });

  it('answers an unknown payment intent with 404 resource_missing', async () => {
    const error = await refusal({ payment_intent: 'pi_unknown' });
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('resource_missing');
    expect(error.param).toBe('payment_intent');
    expect(error.message).toBe("No such payment_intent: 'pi_unknown'");
  });

  it('replays a retry with the same idempotency key: one refund, one pair of events', async () => {
    const { paymentIntent } = await paidSession();
    const params = { payment_intent: paymentIntent, amount: 700 };
    const key = `refund-${paymentIntent}`;
    const first = await stripe.refunds.create(params, { idempotencyKey: key });
    const replay = await stripe.refunds.create(params, { idempotencyKey: key });
    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');

    const events = await refundEventsFor(paymentIntent);
    expect(events.map((event) => event.type)).toEqual(['charge.refunded', 'refund.created']);
    expect(events[1]!.request).toEqual({ id: first.lastResponse.requestId, idempotency_key: key });
    expect(chargeIn(events[0]!).amount_refunded).toBe(700);
  });

  it('takes the charge instead of the payment intent, as Stripe does', async () => {
    const { sessionId } = await paidSession();
    const charge = sandbox.charge(sessionId)!;
    const refund = await stripe.refunds.create({ charge: charge.id, amount: 100 });
    expect(refund).toMatchObject({ charge: charge.id, payment_intent: charge.payment_intent });
    await expect(stripe.charges.retrieve(charge.id)).resolves.toMatchObject({
      id: charge.id,
      amount_refunded: 100,
    });
  });

  it("refuses parameters it does not know and values outside Stripe's types", async () => {
    const { paymentIntent } = await paidSession();
    const unknown = await refusal({ payment_intent: paymentIntent, reverse_transfer: true });
    expect(unknown.code).toBe('parameter_unknown');
    expect(unknown.param).toBe('reverse_transfer');
    expect((await refusal({ payment_intent: paymentIntent, amount: 0 })).param).toBe('amount');
    const reason = await refusal({
      payment_intent: paymentIntent,
      reason: 'changed_mind' as Stripe.RefundCreateParams.Reason,
    });
    expect(reason.param).toBe('reason');
    expect((await refusal({})).code).toBe('parameter_missing');
    expect(await refundEventsFor(paymentIntent)).toEqual([]);
  });
});

describe('GET /v1/checkout/sessions', () => {
  it('finds the session of a payment intent', async () => {
    const { sessionId, paymentIntent } = await paidSession();
    const list = await stripe.checkout.sessions.list({ payment_intent: paymentIntent, limit: 1 });
    expect(list).toMatchObject({ object: 'list', has_more: false, url: '/v1/checkout/sessions' });
    expect(list.data.map((session) => session.id)).toEqual([sessionId]);
    expect(list.data[0]).toEqual(sandbox.session(sessionId));
  });

  it('lists newest first without a filter, `limit` at a time', async () => {
    const older = await stripe.checkout.sessions.create(sessionParams());
    const newer = await stripe.checkout.sessions.create(sessionParams());
    const list = await stripe.checkout.sessions.list({ limit: 2 });
    expect(list.data.map((session) => session.id)).toEqual([newer.id, older.id]);
    expect(list.has_more).toBe(true);
    const next = await stripe.checkout.sessions.list({ limit: 1, starting_after: newer.id });
    expect(next.data.map((session) => session.id)).toEqual([older.id]);
  });

  it('refuses an unknown filter and a limit outside 1..100', async () => {
    const unknown = await stripe.checkout.sessions
      .list({ customer: 'cus_123' })
      .catch((caught: unknown) => caught as Stripe.errors.StripeError);
    expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'customer' });
    const tooMany = await stripe.checkout.sessions
      .list({ limit: 101 })
      .catch((caught: unknown) => caught as Stripe.errors.StripeError);
    expect(tooMany).toMatchObject({ statusCode: 400, param: 'limit' });
  });
});

describe('refunds made as in the dashboard', () => {
  it('sandbox.refund refunds a paid session and sends the same events', async () => {
    const { sessionId, paymentIntent } = await paidSession();
    const refund = await sandbox.refund(sessionId, 999);
    expect(refund).toMatchObject({ object: 'refund', amount: 999, payment_intent: paymentIntent });
    const events = await refundEventsFor(paymentIntent);
    expect(events.map((event) => event.type)).toEqual(['charge.refunded', 'refund.created']);
    // Not an API call: no request to name, as for Stripe's dashboard.
    expect(events[0]!.request).toEqual({ id: null, idempotency_key: null });
    await expect(sandbox.refund(sessionId, TOTAL)).rejects.toThrow(
      'Refund amount (€29.99) is greater than unrefunded amount on charge (€20.00)',
    );
  });

  it('sandbox.refund throws for an unknown or unpaid session', async () => {
    await expect(sandbox.refund('cs_test_unknown')).rejects.toThrow(
      "No such checkout.session: 'cs_test_unknown'",
    );
    const open = await stripe.checkout.sessions.create(sessionParams());
    await expect(sandbox.refund(open.id)).rejects.toThrow('is open and unpaid');
    expect(sandbox.charge(open.id)).toBeUndefined();
  });

  it('POST /_sandbox/sessions/:id/refund refunds for another process', async () => {
    const { sessionId } = await paidSession();
    const control = (amount?: number) =>
      fetch(`${sandbox.url}/_sandbox/sessions/${sessionId}/refund`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sandbox.secretKey}` },
        ...(amount === undefined ? {} : { body: JSON.stringify({ amount }) }),
      });
    const partial = await control(1000);
    expect(await partial.json()).toMatchObject({ object: 'refund', amount: 1000 });
    const rest = await control();
    expect(await rest.json()).toMatchObject({ amount: TOTAL - 1000 });
    const again = await control();
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      error: `Charge ${sandbox.charge(sessionId)!.id} has already been refunded.`,
    });
  });
});

describe('object dates', () => {
  it('charges and refunds are dated by the sandbox clock', async () => {
    const own = await startSandbox();
    try {
      const ownStripe = stripeFor(own);
      const created = await ownStripe.checkout.sessions.create(sessionParams());
      await own.pay(created.id);
      const paidAt = own.charge(created.id)!.created;
      const hour = 3600;
      own.advanceClock(hour * 1000);
      const refund = await own.refund(created.id);
      expect(refund.created).toBeGreaterThanOrEqual(paidAt + hour);
      expect(refund.created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + hour);
      expect(own.charge(created.id)!.created).toBe(paidAt);
    } finally {
      await own.close();
    }
  });
});

describe('GET /v1/refunds', () => {
  it("lists a charge's refunds newest first, each with its own amount and time, and pages them", async () => {
    const session = await paidSession();
    const intent = session.paymentIntent;
    const first = await stripe.refunds.create({ payment_intent: intent, amount: 100 });
    const second = await stripe.refunds.create({ payment_intent: intent, amount: 250 });
    const other = await paidSession();
    await stripe.refunds.create({ payment_intent: other.paymentIntent, amount: 1 });

    const byCharge = await stripe.refunds.list({ charge: first.charge as string });
    expect(byCharge.data.map((r) => [r.id, r.amount])).toEqual([
      [second.id, 250],
      [first.id, 100],
    ]);
    const byIntent = await stripe.refunds.list({ payment_intent: intent });
    expect(byIntent.data.map((r) => r.id)).toEqual([second.id, first.id]);

    const page = await stripe.refunds.list({ charge: first.charge as string, limit: 1 });
    expect([page.data.map((r) => r.id), page.has_more]).toEqual([[second.id], true]);
    const next = await stripe.refunds.list({
      charge: first.charge as string,
      limit: 1,
      starting_after: second.id,
    });
    expect([next.data.map((r) => r.id), next.has_more]).toEqual([[first.id], false]);
  });
});
