/** How an order's status reads to the shopper, and when it counts as done. */
import type { OrderStatus, OrderView } from '../api';
import type { MessageKey } from '../i18n';

export const statusMessage: Record<OrderStatus, MessageKey> = {
  validated: 'statusWaiting',
  checkout_started: 'statusWaiting',
  pending: 'statusPending',
  paid: 'statusPaid',
  failed: 'statusFailed',
  expired: 'statusExpired',
  checkout_failed: 'statusCheckoutFailed',
};

export const isFinal = (status: OrderStatus) =>
  status === 'paid' || status === 'failed' || status === 'expired' || status === 'checkout_failed';

/**
 * Whether `next` may replace `current`. The session check and the live watch race after a
 * return from Stripe: a watch snapshot read before the payment can arrive after the checked,
 * paid view. Each event adds one timeline entry, so a shorter timeline is an older view.
 */
export const isNewer = (current: OrderView | null, next: OrderView) =>
  current === null || next.timeline.length >= current.timeline.length;
