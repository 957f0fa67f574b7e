/**
 * Forged and replayed webhooks, case by case: only a body signed with the endpoint's
 * secret within Stripe's 300 s tolerance is applied, and applying it twice changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { checkout, countOf } from '../support/orders';
import { footprint } from './support/footprint';
import {
  ATTACKER_SECRET,
  type CapturedEvent,
  capturePaidEvent,
  hmac,
  nowSeconds,
  postWebhook,
  sign,
} from './support/webhooks';

let t: TestApp;
let genuine: CapturedEvent;
/** A real order still waiting for its payment, the target of the forgeries. */
let target: { orderId: string; sessionId: string };
let secret: string;

beforeAll(async () => {
  t = await startTestApp();
  secret = t.sandbox.webhookSecret;
  genuine = await capturePaidEvent(t);
  target = await checkout(t, [{ sku: 'PELE-1958', quantity: 1 }]);
});
afterAll(async () => {
  await t?.close();
});

/** The genuine event rewritten to claim the target order was paid. */
function forgedForTarget(): string {
  const event = JSON.parse(genuine.payload);
  const order = t.sandbox.session(target.sessionId)!;
  event.id = 'evt_forged_0001';
  event.data.object = {
    ...event.data.object,
    ...order,
    status: 'complete',
    payment_status: 'paid',
  };
  return JSON.stringify(event);
}

async function expectRefused(body: string, signature: string | undefined, message: RegExp) {
  const before = await footprint(t);
  const response = await postWebhook(t, body, {
    'content-type': 'application/json',
    ...(signature !== undefined && { 'stripe-signature': signature }),
  });
  expect(response.status).toBe(400);
  expect(JSON.parse(response.text).error).toMatch(message);
  expect(await footprint(t)).toEqual(before);
  const status = (await t.client.order.get.query({ orderId: target.orderId })).status;
  expect(status).toBe('checkout_started');
}

describe('a forged payment for a real order', () => {
  it('is refused when signed with another secret', async () => {
    const body = forgedForTarget();
    await expectRefused(body, sign(body, ATTACKER_SECRET), /signature/i);
  });

  it('is refused without a signature', async () => {
    await expectRefused(forgedForTarget(), undefined, /Missing Stripe-Signature/);
  });

  it('is refused when signed with a key from the order itself (session id, order id)', async () => {
    const body = forgedForTarget();
    await expectRefused(body, sign(body, `whsec_${target.sessionId}`), /signature/i);
    await expectRefused(body, sign(body, target.orderId), /signature/i);
  });

  it('is refused with the right HMAC under scheme v0 instead of v1', async () => {
    const body = forgedForTarget();
    const time = nowSeconds();
    await expectRefused(body, `t=${time},v0=${hmac(body, secret, time)}`, /signature/i);
  });
});

describe('a genuine event', () => {
  it('is refused when signed with a wrong secret', async () => {
    await expectRefused(genuine.payload, sign(genuine.payload, ATTACKER_SECRET), /signature/i);
  });

  it.each([301, 600, 86_400])('is refused when its timestamp is %i s old', async (age) => {
    const signature = sign(genuine.payload, secret, nowSeconds() - age);
    await expectRefused(genuine.payload, signature, /tolerance|timestamp/i);
  });

  it('is refused when an old signature is given a fresh timestamp', async () => {
    const old = nowSeconds() - 600;
    const signature = `t=${nowSeconds()},v1=${hmac(genuine.payload, secret, old)}`;
    await expectRefused(genuine.payload, signature, /signature/i);
  });

  interface EventJson {
    id: string;
    data: {
      object: {
        id: string;
        amount_total: number;
        currency: string;
        payment_status: string;
        metadata: { orderId: string };
      };
    };
  }
  const changes: [string, (event: EventJson) => void][] = [
    [
      'another amount',
      (e) => {
        e.data.object.amount_total = 1;
      },
    ],
    [
      'another currency',
      (e) => {
        e.data.object.currency = 'usd';
      },
    ],
    [
      'another order',
      (e) => {
        e.data.object.metadata.orderId = target.orderId;
      },
    ],
    [
      'another session',
      (e) => {
        e.data.object.id = target.sessionId;
      },
    ],
    [
      'another event id',
      (e) => {
        e.id = 'evt_replayed_0001';
      },
    ],
    [
      'paid turned unpaid',
      (e) => {
        e.data.object.payment_status = 'unpaid';
      },
    ],
  ];

  it.each(changes)(
    'replayed with %s under its valid signature is refused',
    async (_name, change) => {
      const signature = sign(genuine.payload, secret);
      const event = JSON.parse(genuine.payload) as EventJson;
      change(event);
      await expectRefused(JSON.stringify(event), signature, /signature/i);
    },
  );

  it('replayed re-serialised (same JSON, other bytes) under its valid signature is refused', async () => {
    const signature = sign(genuine.payload, secret);
    const pretty = JSON.stringify(JSON.parse(genuine.payload), null, 2);
    await expectRefused(pretty, signature, /signature/i);
  });

  it('is applied once when genuine, and its exact replay appends nothing', async () => {
    const signature = sign(genuine.payload, secret);
    const first = await postWebhook(t, genuine.payload, {
      'content-type': 'application/json',
      'stripe-signature': signature,
    });
    expect(first.status).toBe(200);
    expect(await countOf(t.app.services.store, genuine.orderId, 'PaymentCompleted')).toBe(1);

    const before = await footprint(t);
    const replay = await postWebhook(t, genuine.payload, {
      'content-type': 'application/json',
      'stripe-signature': signature,
    });
    expect(replay.status).toBe(200);
    expect(await footprint(t)).toEqual(before);
    expect(await countOf(t.app.services.store, genuine.orderId, 'PaymentCompleted')).toBe(1);
  });
});

describe('a genuine event that cannot apply to the order it names', () => {
  it('is acknowledged (so Stripe stops retrying it), changes nothing and says why', async () => {
    // Signed with the endpoint's secret, naming the target order, but carrying another order's session.
    const event = JSON.parse(genuine.payload);
    event.id = 'evt_other_session_0001';
    event.data.object.metadata = { orderId: target.orderId };
    event.data.object.client_reference_id = target.orderId;
    const body = JSON.stringify(event);
    const before = await footprint(t);
    const response = await postWebhook(t, body, {
      'content-type': 'application/json',
      'stripe-signature': sign(body, secret),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({
      received: true,
      ignored: 'session_mismatch',
    });
    expect(await footprint(t)).toEqual(before);
    const status = (await t.client.order.get.query({ orderId: target.orderId })).status;
    expect(status).toBe('checkout_started');
  });
});
