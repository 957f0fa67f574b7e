/**
 * `checkout.session.completed` events as Stripe sends them: the session object is Stripe's
 * own fixture (read from ../shared/stripe at run time) with this order's facts filled in,
 * and the signature header is made by the stripe package, as the server's check expects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { DEFAULT_STRIPE_DATA_DIR } from '../../../demo/sandbox/fixtures';
import type { SeededOrder } from './shop';

type Json = Record<string, unknown>;

function fixture(name: string): Json {
  const file = join(DEFAULT_STRIPE_DATA_DIR, 'fixtures3.json');
  const fixtures = JSON.parse(readFileSync(file, 'utf8')) as { resources: Record<string, Json> };
  const resource = fixtures.resources[name];
  if (!resource) throw new Error(`${file} has no ${name} fixture`);
  return resource;
}

/** The same order and index always give the same bytes, so a second send is a true redelivery. */
export function completedEventBody(
  templates: { session: Json; event: Json },
  order: SeededOrder,
  index: number,
): string {
  const created = order.expiresAt - 30 * 60;
  const session = {
    ...templates.session,
    id: order.sessionId,
    amount_subtotal: order.amount,
    amount_total: order.amount,
    currency: order.currency,
    client_reference_id: order.orderId,
    customer_email: order.email,
    customer_details: {
      ...(templates.session.customer_details as Json),
      email: order.email,
    },
    created,
    expires_at: order.expiresAt,
    metadata: { orderId: order.orderId },
    payment_intent: order.paymentIntentId,
    payment_status: 'paid',
    status: 'complete',
    url: null,
    // The fixture's random conversion would make every payment a mismatch: these orders are
    // priced and paid in one currency, without Adaptive Pricing.
    currency_conversion: null,
  };
  return JSON.stringify({
    ...templates.event,
    id: `evt_1Bench${String(index).padStart(17, '0')}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: created + 60,
    data: { object: session },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
  });
}

export function loadTemplates(): { session: Json; event: Json } {
  return { session: fixture('checkout.session'), event: fixture('event') };
}

export const signature = (payload: string, secret: string) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret });
