import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../demo/sandbox';
import { type Receiver, sessionParams, startReceiver, stripeFor, verify } from './helpers';

const open: { sandbox: Sandbox; receiver: Receiver }[] = [];

afterEach(async () => {
  for (const { sandbox, receiver } of open.splice(0)) {
    await sandbox.close();
    await receiver.close();
  }
});

async function setup(
  respond?: (index: number) => number | Promise<number>,
  options: SandboxOptions = {},
) {
  const receiver = await startReceiver(respond);
  const sandbox = await startSandbox({
    webhookUrl: receiver.url,
    retryInitialDelayMs: 50,
    asyncDelayMs: 20,
    ...options,
  });
  open.push({ sandbox, receiver });
  const stripe = stripeFor(sandbox);
  const paidSession = async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    await sandbox.pay(session.id);
    return session.id;
  };
  return { sandbox, receiver, stripe, paidSession };
}

describe('webhook signatures', () => {
  it('are accepted by stripe.webhooks.constructEvent from the real package, on the raw body', async () => {
    const { sandbox, receiver, paidSession } = await setup();
    const sessionId = await paidSession();
    const [webhook] = await receiver.waitFor(1);

    expect(webhook!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(webhook!.contentType).toBe('application/json; charset=utf-8');
    const event = Stripe.webhooks.constructEvent(
      webhook!.body,
      webhook!.signature,
      sandbox.webhookSecret,
    );
    expect(event.type).toBe('checkout.session.completed');
    expect((event.data.object as Stripe.Checkout.Session).id).toBe(sessionId);
    expect(sandbox.events()[0]).toEqual(event);
  });

  it('do not verify with another secret or a re-serialised body', async () => {
    const { sandbox, receiver, paidSession } = await setup();
    await paidSession();
    const [webhook] = await receiver.waitFor(1);
    expect(() => verify(webhook!, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const reserialised = JSON.stringify(JSON.parse(webhook!.body));
    expect(() =>
      Stripe.webhooks.constructEvent(reserialised, webhook!.signature, sandbox.webhookSecret),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('events have the shape of Stripe fixtures event object', async () => {
    const { sandbox, receiver, paidSession } = await setup();
    await paidSession();
    const [webhook] = await receiver.waitFor(1);
    const event = verify(webhook!, sandbox.webhookSecret);
    expect(Object.keys(event).sort()).toEqual(
      [
        'api_version',
        'created',
        'data',
        'id',
        'livemode',
        'object',
        'pending_webhooks',
        'request',
        'type',
      ].sort(),
    );
    expect(event.api_version).toBe(Stripe.API_VERSION);
    expect(event.request).toEqual({ id: null, idempotency_key: null });
  });
});

describe('retries', () => {
  it('retry with exponential backoff until the receiver answers 2xx, each attempt freshly signed', async () => {
    const { sandbox, receiver, paidSession } = await setup((index) => (index < 3 ? 500 : 200));
    await paidSession();
    await sandbox.idle();

    const deliveries = sandbox.deliveries();
    expect(deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 200],
    ]);
    expect(new Set(deliveries.map((d) => d.eventId)).size).toBe(1);
    const gaps = receiver.received
      .slice(1)
      .map((webhook, i) => webhook.at - receiver.received[i]!.at);
    // 50, 100, 200 ms apart (timer granularity allows a millisecond or two early).
    expect(gaps[0]).toBeGreaterThanOrEqual(48);
    expect(gaps[1]).toBeGreaterThanOrEqual(98);
    expect(gaps[2]).toBeGreaterThanOrEqual(198);
    for (const webhook of receiver.received)
      expect(() => verify(webhook, sandbox.webhookSecret)).not.toThrow();
  });

  it('give up after maxAttempts', async () => {
    const { sandbox, paidSession } = await setup(() => 503, {
      maxAttempts: 3,
      retryInitialDelayMs: 10,
    });
    await paidSession();
    await sandbox.idle();
    expect(sandbox.deliveries().map((d) => d.status)).toEqual([503, 503, 503]);
  });

  it('retry when the receiver is unreachable, and reach it once it is back at a new URL', async () => {
    const { sandbox, receiver, paidSession } = await setup(undefined, { retryInitialDelayMs: 20 });
    sandbox.setWebhookUrl('http://127.0.0.1:1/webhooks/stripe');
    await paidSession();
    sandbox.setWebhookUrl(receiver.url);
    await sandbox.idle();
    const deliveries = sandbox.deliveries();
    expect(deliveries[0]).toMatchObject({ attempt: 1, status: null });
    expect(deliveries.at(-1)).toMatchObject({ status: 200 });
    expect(receiver.received).toHaveLength(1);
  });

  it('treat a receiver that does not answer in time as failed', async () => {
    let hold = true;
    const { sandbox, receiver, paidSession } = await setup(
      () => (hold ? new Promise<number>(() => {}) : 200),
      { deliveryTimeoutMs: 100, retryInitialDelayMs: 10 },
    );
    await paidSession();
    await receiver.waitFor(1);
    hold = false;
    await sandbox.idle();
    expect(sandbox.deliveries().map((d) => d.status)).toEqual([null, 200]);
    expect(sandbox.deliveries()[0]!.error).toBe('timed out');
  });
});

describe('delivery options', () => {
  it('duplicates: N copies of the same event, in flight at the same time', async () => {
    const copies = 5;
    let release: (status: number) => void = () => {};
    const allArrived = new Promise<number>((resolve) => {
      release = resolve;
    });
    // Every copy is held until all five have arrived: only concurrent deliveries pass.
    const { sandbox, receiver, paidSession } = await setup(async () => allArrived);
    sandbox.setDelivery({ duplicates: copies });
    await paidSession();
    const received = await receiver.waitFor(copies);
    release(200);
    await sandbox.idle();
    expect(new Set(received.map((webhook) => webhook.event.id)).size).toBe(1);
    expect(
      sandbox
        .deliveries()
        .map((d) => d.copy)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('delayMs: the first attempt waits', async () => {
    const { sandbox, receiver, paidSession } = await setup();
    sandbox.setDelivery({ delayMs: 150 });
    const paidAt = Date.now();
    await paidSession();
    const [webhook] = await receiver.waitFor(1);
    expect(webhook!.at - paidAt).toBeGreaterThanOrEqual(148);
    await sandbox.idle();
  });

  it('reorder: a held batch is sent newest first', async () => {
    const { sandbox, receiver, stripe } = await setup();
    sandbox.setDelivery({ reorder: true });
    const session = await stripe.checkout.sessions.create(sessionParams());
    await sandbox.pay(session.id, { iban: 'DE89370400440532013000' });
    await sandbox.idle(); // the debit settles; both events are now held
    expect(receiver.received).toHaveLength(0);
    expect(sandbox.flush()).toBe(2);
    const received = await receiver.waitFor(2);
    expect(received.map((webhook) => webhook.event.type)).toEqual([
      'checkout.session.async_payment_succeeded',
      'checkout.session.completed',
    ]);
  });

  it('turning reorder off releases what was held', async () => {
    const { sandbox, receiver, paidSession } = await setup();
    sandbox.setDelivery({ reorder: true });
    await paidSession();
    sandbox.setDelivery({ reorder: false });
    await receiver.waitFor(1);
  });
});

describe('sendEvent and resend', () => {
  it('sendEvent delivers a fresh signed event of any type for a session', async () => {
    const { sandbox, receiver, paidSession } = await setup();
    const sessionId = await paidSession();
    const sent = sandbox.sendEvent('checkout.session.async_payment_succeeded', sessionId);
    const received = await receiver.waitFor(2);
    const event = verify(received[1]!, sandbox.webhookSecret);
    expect(event.id).toBe(sent.id);
    expect(event.type).toBe('checkout.session.async_payment_succeeded');
    expect(event.id).not.toBe(received[0]!.event.id);
  });

  it('resend delivers the same event id again', async () => {
    const { sandbox, receiver, paidSession } = await setup();
    await paidSession();
    const [first] = await receiver.waitFor(1);
    sandbox.resend(first!.event.id);
    const received = await receiver.waitFor(2);
    expect(received[1]!.event.id).toBe(first!.event.id);
    expect(received[1]!.body).toBe(first!.body);
  });

  it('without a webhook URL, events are recorded with pending_webhooks 0 and not sent', async () => {
    const { sandbox, receiver, paidSession } = await setup();
    sandbox.setWebhookUrl(undefined);
    await paidSession();
    await sandbox.idle();
    expect(sandbox.events()[0]).toMatchObject({
      type: 'checkout.session.completed',
      pending_webhooks: 0,
    });
    expect(receiver.received).toHaveLength(0);
  });
});
