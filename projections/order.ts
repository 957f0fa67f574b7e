/**
 * The order read model: one order's status, lines, totals and timeline, folded from
 * its own stream (`order-<orderId>`). Product events do not change it, but for
 * `StockShortfall`: a late payment's units a product no longer had, decided on (and so
 * recorded in) the product's stream, and the `StockRetaken` of a restock that fills it or
 * the `ShortfallSettled` of a site owner who settled it otherwise.
 * The read models see them; a fold of the order's own stream (`order.get`) does not.
 */
import type { DomainEvent, EventOf, OrderEvent, OrderLine } from '../server/domain/events';

export type OrderStatus =
  | 'validated'
  | 'checkout_started'
  | 'pending'
  | 'paid'
  | 'failed'
  | 'expired'
  | 'checkout_failed';

/** The events an order view is folded from. */
type OrderViewEvent =
  | OrderEvent
  | EventOf<'StockShortfall'>
  | EventOf<'StockRetaken'>
  | EventOf<'ShortfallSettled'>;

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
  timeline: { type: OrderViewEvent['type']; at: string }[];
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
  /**
   * Units of a late payment that were no longer in stock, per sku (empty when none): the
   * order cannot be filled in full until the site owner restocks them (a restock fills
   * them first), or settles them another way (`admin.settleShortfall`, after a refund):
   * then `missing` is 0 and `settled` the units settled. A sku filled in full leaves the list.
   */
  shortfall: { sku: string; missing: number; settled?: number }[];
  /**
   * Money Stripe gave back on the order's payment, each refund with when it was made (empty
   * when none); `refunded` is their sum. A refund that failed afterwards is taken back by an
   * entry of its negative amount, when it failed. A refund of a mismatched payment is not the
   * sale's: it shows in the timeline only.
   */
  refunds: { amount: number; at: string }[];
  refunded: number;
  /**
   * Disputes the shopper's bank opened on the order's payment (empty when none), each with
   * when Stripe opened it and, once closed, its (latest) outcome and when; `lostToDisputes`
   * is what they have lost. As with refunds, a mismatched payment's show in the timeline only.
   */
  disputes: Dispute[];
  lostToDisputes: number;
}

export interface Dispute {
  id: string;
  amount: number;
  reason: string;
  inquiry: boolean;
  at: string;
  /** Null while open. */
  outcome: EventOf<'DisputeClosed'>['data']['outcome'] | null;
  closedAt: string | null;
  /**
   * What each closing changed in what the shop lost, and when: the amount when lost, and
   * its negative when an appeal won it back.
   */
  losses: { amount: number; at: string }[];
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
    case 'HoldKept':
      return view;
    // A re-take is the order's news only when it fills a shortfall (a restock's): the
    // product records the shortfall before any unit that fills it.
    case 'StockRetaken':
    case 'ShortfallSettled':
      return view?.shortfall.some((s) => s.sku === event.data.sku && s.missing > 0)
        ? applyToOrder(view, event)
        : view;
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
        shortfall: [],
        refunds: [],
        refunded: 0,
        disputes: [],
        lostToDisputes: 0,
      };
    }
    default:
      return view && applyToOrder(view, event);
  }
}

/**
 * The order after one of its later events. Builds one new view (a replay applies millions
 * of events: one copy each, not one per changed field) and never changes `view` or anything
 * it shares with it.
 */
function applyToOrder(view: OrderView, event: Exclude<OrderViewEvent, { type: 'CartValidated' }>) {
  const at = event.data.at;
  const next = copyOrder(view);
  next.updatedAt = at;
  next.timeline = [...view.timeline, { type: event.type, at }];
  switch (event.type) {
    case 'CheckoutStarted':
      settle(next, 'checkout_started');
      next.sessionId = event.data.sessionId;
      next.checkoutUrl = event.data.url;
      break;
    case 'CheckoutFailed':
      settle(next, 'checkout_failed');
      break;
    case 'PaymentPending':
      settle(next, 'pending');
      next.sessionId = event.data.sessionId;
      break;
    case 'PaymentCompleted': {
      const late = event.data.late === true || view.status === 'expired';
      next.status = 'paid';
      next.sessionId = event.data.sessionId;
      next.paymentIntentId = event.data.paymentIntentId;
      next.paidAt = event.data.paidAt ?? at;
      next.amountPaid = event.data.amount;
      next.flags = { mismatch: view.flags.mismatch, late: view.flags.late || late };
      break;
    }
    case 'PaymentMismatched':
      next.flags = { mismatch: true, late: view.flags.late };
      break;
    case 'PaymentFailed':
      settle(next, 'failed');
      break;
    case 'PaymentRefunded': {
      if (event.data.paymentIntentId !== view.paymentIntentId) break;
      const { amount } = event.data;
      next.refunds = [...view.refunds, { amount, at: event.data.refundedAt ?? at }];
      next.refunded = view.refunded + amount;
      break;
    }
    case 'RefundFailed': {
      if (event.data.paymentIntentId !== view.paymentIntentId) break;
      const { amount, failedAt } = event.data;
      next.refunds = [...view.refunds, { amount: -amount, at: failedAt }];
      next.refunded = view.refunded - amount;
      break;
    }
    case 'PaymentDisputed': {
      if (event.data.paymentIntentId !== view.paymentIntentId) break;
      const { disputeId: id, amount, reason, inquiry, disputedAt } = event.data;
      const dispute = {
        id,
        amount,
        reason,
        inquiry,
        at: disputedAt,
        outcome: null,
        closedAt: null,
        losses: [],
      };
      next.disputes = [...view.disputes, dispute];
      break;
    }
    case 'DisputeEscalated': {
      const { disputeId } = event.data;
      next.disputes = view.disputes.map((d) => (d.id === disputeId ? { ...d, inquiry: false } : d));
      break;
    }
    case 'DisputeClosed': {
      const { disputeId, outcome, lost, closedAt } = event.data;
      const dispute = view.disputes.find((d) => d.id === disputeId);
      if (!dispute) break;
      const change = lost - dispute.losses.reduce((sum, loss) => sum + loss.amount, 0);
      const losses = change
        ? [...dispute.losses, { amount: change, at: closedAt }]
        : dispute.losses;
      next.disputes = view.disputes.map((d) =>
        d.id === disputeId ? { ...d, outcome, closedAt, losses } : d,
      );
      next.lostToDisputes = view.lostToDisputes + change;
      break;
    }
    case 'CheckoutExpired':
      settle(next, 'expired');
      break;
    case 'StockShortfall':
      next.shortfall = [...view.shortfall, { sku: event.data.sku, missing: event.data.missing }];
      break;
    case 'StockRetaken': {
      const { sku, quantity } = event.data;
      next.shortfall = view.shortfall
        .map((s) => (s.sku === sku ? { sku, missing: s.missing - quantity } : s))
        .filter((s) => s.missing > 0 || s.settled !== undefined);
      break;
    }
    // Kept, settled: the sweep reads an entry as "decided" and repairs no re-take for it.
    case 'ShortfallSettled': {
      const { sku, units } = event.data;
      next.shortfall = view.shortfall.map((s) =>
        s.sku === sku ? { sku, missing: 0, settled: units } : s,
      );
      break;
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
  return next;
}

/** A paid order stays paid: later expiry or failure notices only join its timeline. */
function settle(next: OrderView, status: OrderStatus): void {
  if (next.status !== 'paid') next.status = status;
}

/** A shallow copy: `lines`, `timeline`, `flags`, `shortfall`, `refunds` and `disputes` are shared until replaced, never changed in place. */
function copyOrder(view: OrderView): OrderView {
  return {
    orderId: view.orderId,
    status: view.status,
    lines: view.lines,
    currency: view.currency,
    total: view.total,
    email: view.email,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    timeline: view.timeline,
    sessionId: view.sessionId,
    paymentIntentId: view.paymentIntentId,
    checkoutUrl: view.checkoutUrl,
    paidAt: view.paidAt,
    amountPaid: view.amountPaid,
    flags: view.flags,
    shortfall: view.shortfall,
    refunds: view.refunds,
    refunded: view.refunded,
    disputes: view.disputes,
    lostToDisputes: view.lostToDisputes,
  };
}
