/**
 * Adaptive Pricing: Stripe charged the shopper in their own currency and says so in
 * amount_total and currency, with what the shop priced in currency_conversion (sessions
 * made before 2025-03-31). That is the order's amount, paid: not a mismatch.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { capturePaidEvent, postWebhook, sign } from '../security/support/webhooks';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { countOf } from '../support/orders';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('records a payment converted to the shopper’s currency as the order paid', async () => {
  const captured = await capturePaidEvent(t);
  const event = JSON.parse(captured.payload);
  const session = event.data.object;
  const priced = { amount: session.amount_total, currency: session.currency };
  event.data.object = {
    ...session,
    currency: 'usd',
    amount_total: Math.round(priced.amount * 1.08),
    currency_conversion: {
      amount_subtotal: priced.amount,
      amount_total: priced.amount,
      fx_rate: '1.08',
      source_currency: priced.currency,
    },
  };
  const payload = JSON.stringify(event);
  const response = await postWebhook(t, payload, {
    'content-type': 'application/json',
    'stripe-signature': sign(payload, t.sandbox.webhookSecret),
  });
  expect(response.status).toBe(200);
  expect(await countOf(t.app.services.store, captured.orderId, 'PaymentCompleted')).toBe(1);
  expect(await countOf(t.app.services.store, captured.orderId, 'PaymentMismatched')).toBe(0);
});
