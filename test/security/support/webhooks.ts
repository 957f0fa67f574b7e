/**
 * Webhook material for forgery tests: a genuine `checkout.session.completed` event for
 * a real order, captured from the sandbox before delivery, and Stripe-style signing.
 */
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import type { TestApp } from '../../support/app';
import { checkout } from '../../support/orders';
import { send } from './http';

export const ATTACKER_SECRET = 'whsec_attacker0123456789abcdef0123456789';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A Stripe-Signature header exactly as Stripe builds it. */
export const sign = (payload: string, secret: string, timestamp = nowSeconds()) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

/** HMAC-SHA256 of `t.payload`, the value Stripe puts after `v1=`. */
export const hmac = (payload: string, secret: string, timestamp: number) =>
  createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');

export interface CapturedEvent {
  orderId: string;
  sessionId: string;
  /** The event's JSON exactly as the sandbox would have delivered it. */
  payload: string;
}

/**
 * Starts a checkout and pays it in the sandbox with delivery off, so the server has not
 * heard of the payment: the captured event is genuine and still unapplied.
 */
export async function capturePaidEvent(t: TestApp, sku = 'BAGGIO-1994'): Promise<CapturedEvent> {
  t.sandbox.setWebhookUrl(undefined);
  const order = await checkout(t, [{ sku, quantity: 1 }]);
  await t.sandbox.pay(order.sessionId);
  const event = t.sandbox
    .events()
    .findLast(
      (e) =>
        e.type === 'checkout.session.completed' &&
        (e.data.object as { id?: string }).id === order.sessionId,
    );
  if (!event)
    throw new Error(`the sandbox sent no checkout.session.completed for ${order.sessionId}`);
  return { orderId: order.orderId, sessionId: order.sessionId, payload: JSON.stringify(event) };
}

export const postWebhook = (
  t: TestApp,
  body: string | Buffer,
  headers: Record<string, string | string[]> = {},
) => send(t.url, { method: 'POST', path: '/webhooks/stripe', headers, body });
