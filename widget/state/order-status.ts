/** How an order's status reads to the shopper, and when it counts as done. */
import type { OrderStatus } from '../api';
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
