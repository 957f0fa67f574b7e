/**
 * Property-based hostile input on `POST /webhooks/stripe`: random and mutated bodies,
 * odd, missing and duplicated Stripe-Signature headers, content types and encodings.
 * Unsigned or wrongly signed requests get 400 with a message and append nothing; even
 * bodies signed with the real secret (Stripe changing shape, say) never cause a 5xx.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import {
  clone,
  contentEncodings,
  contentTypes,
  hostileValue,
  type Json,
  rawBody,
  runs,
  withKey,
} from './support/arbitraries';
import { footprint, moved } from './support/footprint';
import { verdict } from './support/verdict';
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
let secret: string;

beforeAll(async () => {
  t = await startTestApp();
  secret = t.sandbox.webhookSecret;
  genuine = await capturePaidEvent(t);
});
afterAll(async () => {
  await t?.close();
});

/** Posts one webhook; resolves to why it was mishandled, or undefined. */
async function judge(
  body: string | Buffer,
  headers: Record<string, string | string[]>,
  options: { allowOk?: boolean } = {},
) {
  const before = await footprint(t);
  const response = await postWebhook(t, body, headers);
  return verdict(response, options) ?? moved(before, await footprint(t));
}

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

/** Stripe-Signature values that cannot be valid for `body` (no real secret signs it). */
const forgedSignature = (body: string | Buffer): fc.Arbitrary<string | string[] | undefined> => {
  const text = body.toString();
  return fc.oneof(
    fc.constantFrom<string | string[] | undefined>(
      undefined,
      '',
      't=',
      'v1=',
      't=,v1=',
      ',,,',
      `t=${nowSeconds()}`,
      `t=${nowSeconds()},v0=${hmac(text, secret, nowSeconds())}`,
      `t=${nowSeconds()},v1=${'0'.repeat(64)}`,
      `t=${nowSeconds()},${'v1=deadbeef,'.repeat(2_000)}`,
      `t=${'9'.repeat(400)},v1=${'a'.repeat(64)}`,
      `t=-1,v1=${hmac(text, secret, -1)}`,
      `t=1e3,v1=${hmac(text, secret, 1000)}`,
    ),
    fc.string({ maxLength: 80 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
    fc.tuple(fc.integer(), hex(64)).map(([time, v1]) => `t=${time},v1=${v1}`),
    fc.constant(null).map(() => sign(text, ATTACKER_SECRET)),
    // Correct secret, but over other bytes or long ago.
    fc.constant(null).map(() => sign(`${text} `, secret)),
    fc.integer({ min: 301, max: 10 ** 8 }).map((age) => sign(text, secret, nowSeconds() - age)),
    fc
      .tuple(fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)))
      .map(([junk]) => [sign(text, ATTACKER_SECRET), junk]),
  );
};

describe('unsigned or wrongly signed webhooks', () => {
  it('refuse random bodies under any signature, content type and encoding with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody.chain((body) => fc.tuple(fc.constant(body), forgedSignature(body))),
        contentTypes,
        contentEncodings,
        async ([body, signature], contentType, encoding) => {
          const problem = await judge(body, {
            ...(signature !== undefined && { 'stripe-signature': signature }),
            ...(contentType !== undefined && { 'content-type': contentType }),
            ...(encoding && { 'content-encoding': encoding }),
          });
          expect(problem).toBeUndefined();
        },
      ),
      runs(250),
    );
  });

  /** A change somewhere in the genuine event, at a random path. */
  const mutatedGenuine = fc
    .tuple(
      fc.constantFrom(
        ['type'],
        ['id'],
        ['data', 'object', 'amount_total'],
        ['data', 'object', 'currency'],
        ['data', 'object', 'payment_status'],
        ['data', 'object', 'status'],
        ['data', 'object', 'metadata', 'orderId'],
        ['data', 'object', 'client_reference_id'],
        ['data', 'object', 'id'],
        ['data', 'object'],
        ['data'],
        ['__proto__'],
        ['data', 'object', 'constructor'],
      ),
      fc.oneof(hostileValue, fc.constant<Json>(randomUUID()), fc.constant<Json>('unpaid')),
      fc.boolean(),
    )
    .map(([path, value, remove]) => {
      const event = clone(JSON.parse(genuine.payload) as { [key: string]: Json });
      let target = event;
      for (const key of path.slice(0, -1)) target = target[key] as { [key: string]: Json };
      const last = path.at(-1)!;
      if (remove) delete target[last];
      else withKey(target, last, value);
      return JSON.stringify(event);
    })
    .filter((body) => body !== genuine.payload);

  it('refuse a genuine event changed anywhere, under its old signature or a forged one', async () => {
    const genuineSignature = sign(genuine.payload, secret);
    await fc.assert(
      fc.asyncProperty(
        mutatedGenuine,
        fc.constantFrom('original', 'attacker', 'stale'),
        async (body, how) => {
          const signature =
            how === 'original'
              ? genuineSignature
              : how === 'attacker'
                ? sign(body, ATTACKER_SECRET)
                : sign(body, secret, nowSeconds() - 301);
          const problem = await judge(body, {
            'content-type': 'application/json',
            'stripe-signature': signature,
          });
          expect(problem).toBeUndefined();
        },
      ),
      runs(150),
    );
  });
});

describe('bodies signed with the real secret', () => {
  /** Event-shaped or not; never about an order that exists, so nothing may be recorded. */
  const signedBody = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          id: hostileValue,
          object: fc.constantFrom<Json>('event', null, 1),
          type: fc.oneof(
            fc.constantFrom<Json>(
              'checkout.session.completed',
              'checkout.session.expired',
              'checkout.session.async_payment_failed',
              'checkout.session.async_payment_succeeded',
              'charge.refunded',
              'charge.dispute.created',
              'charge.dispute.closed',
              'customer.created',
            ),
            hostileValue,
          ),
          data: fc.oneof(
            hostileValue,
            fc.record({
              object: fc.oneof(
                hostileValue,
                fc.record(
                  {
                    object: fc.constantFrom<Json>(
                      'checkout.session',
                      'charge',
                      'dispute',
                      'payment_intent',
                      null,
                    ),
                    id: hostileValue,
                    metadata: fc.oneof(
                      hostileValue,
                      fc.record({ orderId: fc.oneof(fc.uuid(), hostileValue) }),
                    ),
                    amount_total: hostileValue,
                    currency: hostileValue,
                    payment_status: fc.oneof(fc.constantFrom<Json>('paid', 'unpaid'), hostileValue),
                    status: hostileValue,
                    expires_at: hostileValue,
                    payment_intent: fc.oneof(
                      hostileValue,
                      fc.constant<Json>('pi_3NoCheckoutOfThisShop'),
                    ),
                    amount_refunded: fc.oneof(hostileValue, fc.nat()),
                    // A dispute's: its charge is read from Stripe.
                    charge: fc.oneof(hostileValue, fc.constant<Json>('ch_3NotOfThisAccount')),
                    amount: fc.oneof(hostileValue, fc.nat()),
                    created: fc.oneof(hostileValue, fc.nat()),
                  },
                  { requiredKeys: ['object'] },
                ),
              ),
            }),
          ),
        },
        { requiredKeys: ['type'] },
      )
      .map((v) => JSON.stringify(v)),
  );

  it('never answer a 5xx and never record anything', async () => {
    await fc.assert(
      fc.asyncProperty(signedBody, async (body) => {
        const problem = await judge(
          body,
          { 'content-type': 'application/json', 'stripe-signature': sign(body, secret) },
          // Event types the server does not handle are acknowledged, as Stripe expects.
          { allowOk: true },
        );
        expect(problem).toBeUndefined();
      }),
      runs(200),
    );
  });
});
