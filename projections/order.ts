/**
 * The order read model: one order's status, lines, totals and timeline, folded from
 * its own stream (`order-<orderId>`). Product events do not change it.
 */
import type { DomainEvent, OrderEvent, OrderLine } from '../server/domain/events';

export type OrderStatus =
  | 'validated'
  | 'checkout_started'
  | 'pending'
  | 'paid'
  | 'failed'
  | 'expired'
  | 'checkout_failed';

export interface OrderView {
  orderId: string;
  status: OrderStatus;
  lines: OrderLine[];
  currency: string;
  /** Order total in minor units of `currency`, as priced when the cart was validated. */
  total: number;
  email: string;
  createdAt: string;
  updatedAt: string;
  timeline: { type: OrderEvent['type']; at: string }[];
  sessionId: string | null;
  paymentIntentId: string | null;
  checkoutUrl: string | null;
  /** When the payment completed, and what Stripe reported as paid (minor units of `currency`). */
  paidAt: string | null;
  amountPaid: number | null;
  flags: {
    /** Stripe reported a payment with another amount or currency: the order was not marked paid. */
    mismatch: boolean;
    /** Paid after the checkout expired or its stock was released. */
    late: boolean;
  };
}

/** Folds one event into an order view. Null until the order's `CartValidated`. */
export function evolveOrder(view: OrderView | null, event: DomainEvent): OrderView | null {
  switch (event.type) {
    case 'ProductListed':
    case 'ProductUpdated':
    case 'ProductDelisted':
    case 'StockAdjusted':
    case 'StockReserved':
    case 'StockReleased':
      return view;
    case 'CartValidated': {
      // `CartValidated` opens the stream (appended with no_stream): a second one cannot exist.
      if (view) return view;
      const { orderId, lines, currency, total, email, at } = event.data;
      return {
        orderId,
        status: 'validated',
        lines,
        currency,
        total,
        email,
        createdAt: at,
        updatedAt: at,
        timeline: [{ type: event.type, at }],
        sessionId: null,
        paymentIntentId: null,
        checkoutUrl: null,
        paidAt: null,
        amountPaid: null,
        flags: { mismatch: false, late: false },
      };
    }
    default:
      if (!view) return null;
      return applyToOrder(withTimeline(view, event), event);
  }
}

function withTimeline(view: OrderView, event: OrderEvent): OrderView {
  const at = event.data.at;
  return { ...view, updatedAt: at, timeline: [...view.timeline, { type: event.type, at }] };
}

/** A paid order stays paid: later expiry or failure notices only join its timeline. */
function settle(view: OrderView, status: OrderStatus): OrderView {
  return view.status === 'paid' ? view : { ...view, status };
}

function applyToOrder(view: OrderView, event: Exclude<OrderEvent, { type: 'CartValidated' }>) {
  switch (event.type) {
    case 'CheckoutStarted':
      return {
        ...settle(view, 'checkout_started'),
        sessionId: event.data.sessionId,
        checkoutUrl: event.data.url,
      };
    case 'CheckoutFailed':
      return settle(view, 'checkout_failed');
    case 'PaymentPending':
      return { ...settle(view, 'pending'), sessionId: event.data.sessionId };
    case 'PaymentCompleted': {
      const late = event.data.late === true || view.status === 'expired';
      return {
        ...view,
        status: 'paid' as const,
        sessionId: event.data.sessionId,
        paymentIntentId: event.data.paymentIntentId,
        paidAt: event.data.at,
        amountPaid: event.data.amount,
        flags: { ...view.flags, late: view.flags.late || late },
      };
    }
    case 'PaymentMismatched':
      return { ...view, flags: { ...view.flags, mismatch: true } };
    case 'PaymentFailed':
      return settle(view, 'failed');
    case 'CheckoutExpired':
      return settle(view, 'expired');
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
