/**
 * The webhook signature is checked over the exact bytes received. The gateway decodes the
 * body once and lets the stripe package check the text's UTF-8 encoding: these cases pin
 * that this is the same bytes for every body Stripe can send, and refuses the rest.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StripeGateway, WebhookSignatureError } from '../../server/payments/stripe-gateway';
import { nowSeconds } from './support/webhooks';

const secret = 'whsec_encoding0123456789abcdef0123456789';
const gateway = new StripeGateway({ secretKey: 'sk_test_encoding', webhookSecret: secret });

/** Stripe's v1 signature over the raw bytes, as Stripe computes it. */
function signBytes(body: Buffer, timestamp = nowSeconds()): string {
  const mac = createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`${timestamp}.`), body]))
    .digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

const CREATED = 1_795_000_000;
const event = (name: string) =>
  JSON.stringify({
    id: 'evt_encoding_1',
    object: 'event',
    created: CREATED,
    type: 'checkout.session.completed',
    data: { object: { object: 'product', name } },
  });

describe('webhook signature over the bytes received', () => {
  it.each([
    ['accents', 'Pelé, Müller, Ñandú'],
    ['four-byte characters', 'Maglia 🇮🇹⚽ 𝄞'],
    ['escaped and raw newlines', 'a\\nb\u2028c'],
  ])('verifies a body with %s', (_name, name) => {
    const body = Buffer.from(event(name), 'utf8');
    const notification = gateway.verifyWebhook(body, signBytes(body));
    expect(notification).toEqual({
      id: 'evt_encoding_1',
      type: 'checkout.session.completed',
      created: new Date(CREATED * 1000).toISOString(),
      news: { kind: 'other' },
    });
  });

  it('refuses the same text in another Unicode normalisation under the first one’s signature', () => {
    const composed = Buffer.from(event('Pel\u00e9'), 'utf8');
    const decomposed = Buffer.from(event('Pele\u0301'), 'utf8');
    expect(() => gateway.verifyWebhook(decomposed, signBytes(composed))).toThrow(
      WebhookSignatureError,
    );
  });

  it('refuses a body that is not valid UTF-8, even signed over its bytes', () => {
    const valid = Buffer.from(event('X'), 'utf8');
    const at = valid.indexOf('X');
    const invalid = Buffer.concat([
      valid.subarray(0, at),
      Buffer.from([0xc3, 0x28]),
      valid.subarray(at + 1),
    ]);
    expect(() => gateway.verifyWebhook(invalid, signBytes(invalid))).toThrow(WebhookSignatureError);
  });
});
