/**
 * The order decider: one `order-<orderId>` stream from validated cart to paid (or not).
 * Whatever path reports a payment (webhook, redelivery, the success-page re-fetch), it
 * comes through `RecordStripeOutcome`, and once the order is paid nothing more is decided:
 * together with the exact-revision append that is what makes payment exactly-once.
 */
import type { Decider } from '../domain/decider';
import { DomainError } from '../domain/decider';
import { type EventOf, MAX_AMOUNT, type OrderEvent } from '../domain/events';

export type OrderStatus =
  | 'new'
  | 'validated'
  | 'checkout_started'
  | 'pending'
  | 'paid'
  | 'failed'
  | 'expired'
  | 'checkout_failed';

type Cart = EventOf<'CartValidated'>['data'];
type ReleaseReason = EventOf<'StockReleased'>['data']['reason'];
type Checkout = EventOf<'CheckoutStarted'>['data'];

export interface OrderState {
  status: OrderStatus;
  cart: Cart | null;
  checkout: Checkout | null;
  /** Sessions whose payment was recorded as a mismatch: heard of again (a redelivery, the success page), it adds nothing. */
  mismatches: string[];
  /** Paid after its stock had been given back: the units are to be taken back from stock. */
  late: boolean;
  /** Money Stripe took for the order, by payment intent: the order's payment, or a mismatched one. */
  payments: Record<string, Payment>;
}

interface Payment {
  amount: number;
  currency: string;
  /** Given back so far, in `currency`. */
  refunded: number;
  /** Given back so far in the charge's currency, which Adaptive Pricing makes the shopper's. */
  chargeRefunded: number;
  refundIds: string[];
  /** Of those, the ones that failed afterwards. */
  failedRefundIds: string[];
  /** Its disputes heard of, by id. */
  disputes: Record<string, DisputeRecord>;
}

interface DisputeRecord {
  amount: number;
  inquiry: boolean;
  /** The latest closing's outcome and time; null while never closed. */
  outcome: string | null;
  closedAt: string | null;
  closings: number;
}

/** The charge a `charge.refunded` names: what Stripe took, in the currency it charged. */
export interface ChargeFacts {
  chargeId: string;
  paymentIntentId: string;
  amount: number;
  currency: string;
}

/** One refund of a charge, as Stripe lists it. */
export interface RefundFacts {
  id: string;
  amount: number;
  currency: string;
  /** When Stripe made it. */
  created: string;
  /** It gives nothing back: failed (the bank could not take it) or cancelled. */
  failed: boolean;
}

/** A dispute of a charge, as a `charge.dispute.*` event shows it. */
export interface DisputeFacts {
  id: string;
  chargeId: string;
  amount: number;
  /** The charge's currency. */
  currency: string;
  reason: string;
  /** Stripe's status: `needs_response`, `warning_under_review`, `won`, `lost`, ... */
  status: string;
  /** When Stripe opened it. */
  created: string;
}

/** What Stripe says about a Checkout Session, whichever way we heard it. */
export interface SessionFacts {
  id: string;
  url: string | null;
  expiresAt: string;
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required';
  amountTotal: number;
  currency: string;
  paymentIntentId: string | null;
  orderId: string | null;
}

export type StripeOutcome =
  | 'completed'
  | 'async_succeeded'
  | 'async_failed'
  | 'expired'
  | 'fetched';

export type OrderCommand =
  | { type: 'ValidateCart'; cart: Cart }
  | { type: 'StartCheckout'; session: SessionFacts; at: string }
  | {
      type: 'FailCheckout';
      reason: EventOf<'CheckoutFailed'>['data']['reason'];
      message: string;
      at: string;
    }
  /**
   * The checkout is ended before any outcome arrived (a lost `expired` webhook, a cancel, a
   * changed cart): `sessionId` is the session the caller made sure can no longer be paid,
   * null when it saw none. A session started since is not ended this way.
   */
  | { type: 'SweepCheckout'; at: string; sessionId: string | null }
  | {
      type: 'RecordStripeOutcome';
      outcome: StripeOutcome;
      /** Null when the session was re-fetched rather than delivered as an event. */
      stripeEventId: string | null;
      session: SessionFacts;
      at: string;
      /** When Stripe says it happened (a webhook's `created`); null for a re-fetched session. */
      occurredAt?: string | null;
    }
  | {
      type: 'RecordRefunds';
      /** The notice that made them heard of. */
      stripeEventId: string;
      charge: ChargeFacts;
      /** The charge's refunds as Stripe lists them, those already recorded included. */
      refunds: RefundFacts[];
      at: string;
      /** When Stripe says the notice happened (its `created`); null if it gave none. */
      occurredAt: string | null;
      /** The refund the notice is an update of; absent for a notice of the charge. */
      refundId?: string | undefined;
    }
  | {
      type: 'RecordDispute';
      stripeEventId: string;
      charge: ChargeFacts;
      dispute: DisputeFacts;
      at: string;
      /** When Stripe says the notice happened (its `created`); null if it gave none. */
      occurredAt: string | null;
    };

/** Why an order in this status gives its stock back; undefined while it keeps it. */
export function releaseReasonOf(status: OrderStatus): ReleaseReason | undefined {
  switch (status) {
    case 'failed':
      return 'payment_failed';
    case 'expired':
      return 'expired';
    case 'checkout_failed':
      return 'checkout_failed';
    default:
      return undefined;
  }
}

/** Statuses after which the order's stock has been (or is being) given back. */
export const releasesStock = (status: OrderStatus) => releaseReasonOf(status) !== undefined;

export const orderDecider: Decider<OrderState, OrderCommand, OrderEvent> = {
  initialState: () => ({
    status: 'new',
    cart: null,
    checkout: null,
    mismatches: [],
    late: false,
    payments: {},
  }),

  evolve(state, event) {
    switch (event.type) {
      case 'CartValidated':
        return { ...state, status: 'validated', cart: event.data };
      case 'CheckoutStarted':
        return { ...state, status: 'checkout_started', checkout: event.data };
      case 'CheckoutFailed':
        return { ...state, status: 'checkout_failed' };
      case 'PaymentPending':
        return { ...state, status: 'pending' };
      case 'PaymentCompleted': {
        const { paymentIntentId, amount, currency } = event.data;
        return {
          ...state,
          status: 'paid',
          late: event.data.late === true,
          payments: withPayment(state.payments, paymentIntentId, { amount, currency }),
        };
      }
      case 'PaymentMismatched': {
        const { amount, currency } = event.data.received;
        return {
          ...state,
          mismatches: [...state.mismatches, event.data.sessionId],
          payments: withPayment(state.payments, event.data.paymentIntentId, { amount, currency }),
        };
      }
      case 'PaymentRefunded': {
        const { paymentIntentId, refunded, refundId, amount, charged } = event.data;
        const payment = state.payments[paymentIntentId];
        if (!payment) return state;
        const refund = {
          ...payment,
          refunded,
          chargeRefunded: payment.chargeRefunded + (charged?.amount ?? amount),
          refundIds: [...payment.refundIds, refundId],
        };
        return { ...state, payments: { ...state.payments, [paymentIntentId]: refund } };
      }
      case 'RefundFailed': {
        const { paymentIntentId, refunded, refundId, amount, charged } = event.data;
        const payment = state.payments[paymentIntentId];
        if (!payment) return state;
        const failed = {
          ...payment,
          refunded,
          chargeRefunded: payment.chargeRefunded - (charged?.amount ?? amount),
          failedRefundIds: [...payment.failedRefundIds, refundId],
        };
        return { ...state, payments: { ...state.payments, [paymentIntentId]: failed } };
      }
      case 'PaymentDisputed':
      case 'DisputeEscalated':
      case 'DisputeClosed': {
        const { paymentIntentId, disputeId } = event.data;
        const payment = state.payments[paymentIntentId];
        if (!payment) return state;
        const disputes = {
          ...payment.disputes,
          [disputeId]: withDispute(payment.disputes[disputeId], event),
        };
        return {
          ...state,
          payments: { ...state.payments, [paymentIntentId]: { ...payment, disputes } },
        };
      }
      case 'PaymentFailed':
        return { ...state, status: 'failed' };
      case 'CheckoutExpired':
        return { ...state, status: 'expired' };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'ValidateCart':
        if (state.status !== 'new')
          throw new DomainError('order_exists', 'This checkout already has an order');
        return [{ type: 'CartValidated', data: command.cart }];
      case 'StartCheckout': {
        const cart = requireCart(state);
        if (state.checkout?.sessionId === command.session.id) return [];
        if (state.status !== 'validated') {
          throw new DomainError(
            'checkout_closed',
            `The order is ${state.status}; no new checkout can start`,
          );
        }
        return [checkoutStarted(cart.orderId, command.session, command.at)];
      }
      case 'FailCheckout': {
        const cart = requireCart(state);
        if (state.status !== 'validated') return [];
        const { reason, message, at } = command;
        return [{ type: 'CheckoutFailed', data: { orderId: cart.orderId, reason, message, at } }];
      }
      case 'SweepCheckout': {
        const cart = requireCart(state);
        if (state.status !== 'validated' && state.status !== 'checkout_started') return [];
        if ((state.checkout?.sessionId ?? null) !== command.sessionId) return [];
        const data = {
          orderId: cart.orderId,
          stripeEventId: null,
          sessionId: state.checkout?.sessionId ?? '',
          at: command.at,
        };
        return [{ type: 'CheckoutExpired', data }];
      }
      case 'RecordStripeOutcome':
        return recordOutcome(command, state);
      case 'RecordRefunds':
        return recordRefunds(command, state);
      case 'RecordDispute':
        return recordDispute(command, state);
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};

function recordOutcome(
  command: Extract<OrderCommand, { type: 'RecordStripeOutcome' }>,
  state: OrderState,
): OrderEvent[] {
  const cart = requireCart(state);
  const { session, stripeEventId, at, outcome } = command;
  if (state.checkout ? state.checkout.sessionId !== session.id : session.orderId !== cart.orderId) {
    throw new DomainError(
      'session_mismatch',
      `Session ${session.id} does not belong to order ${cart.orderId}`,
    );
  }
  if (state.status === 'paid') return [];

  // The session can be paid before CheckoutStarted was appended (a crash between Stripe's
  // answer and our append): record the start first so the order's history stays whole.
  const started: OrderEvent[] = state.checkout ? [] : [checkoutStarted(cart.orderId, session, at)];
  const facts = { orderId: cart.orderId, stripeEventId, sessionId: session.id, at };

  const paid = (): OrderEvent[] => {
    const expected = { amount: cart.total, currency: cart.currency };
    if (session.amountTotal !== expected.amount || session.currency !== expected.currency) {
      // One payment per session, however it was heard of (webhook, redelivery, success page).
      if (state.mismatches.includes(session.id)) return [];
      const received = { amount: session.amountTotal, currency: session.currency };
      const { paymentIntentId } = session;
      return [
        ...started,
        { type: 'PaymentMismatched', data: { ...facts, paymentIntentId, expected, received } },
      ];
    }
    const late = releasesStock(state.status) ? { late: true } : {};
    const paidAt = command.occurredAt ? { paidAt: command.occurredAt } : {};
    return [
      ...started,
      {
        type: 'PaymentCompleted',
        data: {
          ...facts,
          paymentIntentId: session.paymentIntentId,
          ...expected,
          ...late,
          ...paidAt,
        },
      },
    ];
  };

  switch (outcome) {
    case 'completed':
    case 'fetched':
      if (session.paymentStatus !== 'unpaid') return paid();
      if (
        session.status !== 'complete' ||
        state.status === 'pending' ||
        releasesStock(state.status)
      ) {
        return [];
      }
      return [
        ...started,
        { type: 'PaymentPending', data: { ...facts, paymentStatus: session.paymentStatus } },
      ];
    case 'async_succeeded':
      return paid();
    case 'async_failed':
      return releasesStock(state.status)
        ? []
        : [...started, { type: 'PaymentFailed', data: facts }];
    case 'expired':
      // A session Stripe calls complete (a debit settling) was never left to expire.
      return releasesStock(state.status) || session.status === 'complete'
        ? []
        : [...started, { type: 'CheckoutExpired', data: facts }];
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}

/**
 * Records each of the charge's refunds not recorded yet, oldest first, with its own amount
 * and time: notices may come in any order, again, or one for several refunds. A recorded
 * refund that has failed since is taken back first, as what it gave back returns to the shop
 * (and may be refunded again).
 */
function recordRefunds(
  command: Extract<OrderCommand, { type: 'RecordRefunds' }>,
  state: OrderState,
): OrderEvent[] {
  const cart = requireCart(state);
  const { charge } = command;
  const { payment, misfit } = paymentOf(state, cart, charge, 'refund_mismatch');
  // Stable: refunds made in the same second keep the order Stripe lists them in.
  const listed = [...command.refunds].sort((a, b) => a.created.localeCompare(b.created));
  const recorded = (refund: RefundFacts) => payment.refundIds.includes(refund.id);
  const failedNow = listed.filter(
    (refund) => refund.failed && recorded(refund) && !payment.failedRefundIds.includes(refund.id),
  );
  const unrecorded = listed.filter((refund) => !refund.failed && !recorded(refund));
  let chargeRefunded = payment.chargeRefunded;
  let refunded = payment.refunded;
  const facts = (refund: RefundFacts) => ({
    orderId: cart.orderId,
    stripeEventId: command.stripeEventId,
    paymentIntentId: charge.paymentIntentId,
    chargeId: charge.chargeId,
    refundId: refund.id,
    currency: payment.currency,
    ...(charge.currency !== payment.currency && {
      charged: { amount: refund.amount, currency: refund.currency },
    }),
    at: command.at,
  });
  const change = (refund: RefundFacts, sign: 1 | -1) => {
    chargeRefunded += sign * refund.amount;
    if (refund.currency !== charge.currency || chargeRefunded > charge.amount || chargeRefunded < 0)
      throw misfit(`Refund ${refund.id} of ${refund.amount} ${refund.currency}`);
    // All of the payment once all is refunded.
    const total = shareOf(chargeRefunded, payment, charge);
    const amount = sign * (total - refunded);
    refunded = total;
    return { amount, refunded: total };
  };
  return [
    ...failedNow.map(
      (refund): OrderEvent => ({
        type: 'RefundFailed',
        data: {
          ...facts(refund),
          ...change(refund, -1),
          failedAt: failedAt(command, refund),
        },
      }),
    ),
    ...unrecorded.map(
      (refund): OrderEvent => ({
        type: 'PaymentRefunded',
        data: { ...facts(refund), ...change(refund, 1), refundedAt: refund.created },
      }),
    ),
  ];
}

/** The dispute's opening and closing, each recorded once, whatever order the notices come in. */
function recordDispute(
  command: Extract<OrderCommand, { type: 'RecordDispute' }>,
  state: OrderState,
): OrderEvent[] {
  const cart = requireCart(state);
  const { charge, dispute, stripeEventId, at } = command;
  const { payment, misfit } = paymentOf(state, cart, charge, 'dispute_mismatch');
  // A dispute can be for more than the charge (the bank's conversion, or charges it
  // bundled): what it takes is what the shop loses.
  if (
    dispute.chargeId !== charge.chargeId ||
    dispute.currency !== charge.currency ||
    dispute.amount < 1
  )
    throw misfit(`Dispute ${dispute.id} of ${dispute.amount} ${dispute.currency}`);
  // Converted on top of what was refunded, as refunds are: together never more than all.
  const amount =
    shareOf(payment.chargeRefunded + dispute.amount, payment, charge) -
    shareOf(payment.chargeRefunded, payment, charge);
  if (amount > MAX_AMOUNT)
    throw misfit(`Dispute ${dispute.id} of ${dispute.amount} ${dispute.currency}`);
  const facts = {
    orderId: cart.orderId,
    stripeEventId,
    paymentIntentId: charge.paymentIntentId,
    disputeId: dispute.id,
    currency: payment.currency,
    at,
  };
  const events: OrderEvent[] = [];
  const known = payment.disputes[dispute.id];
  const inquiry = dispute.status.startsWith('warning_');
  if (!known) {
    events.push({
      type: 'PaymentDisputed',
      data: {
        ...facts,
        chargeId: charge.chargeId,
        amount,
        ...(charge.currency !== payment.currency && {
          charged: { amount: dispute.amount, currency: dispute.currency },
        }),
        reason: dispute.reason.slice(0, 100),
        inquiry,
        disputedAt: dispute.created,
      },
    });
  } else if (known.inquiry && !inquiry) {
    // The same dispute, now a chargeback: Stripe holds the money back from here on.
    events.push({
      type: 'DisputeEscalated',
      data: {
        orderId: facts.orderId,
        stripeEventId,
        paymentIntentId: facts.paymentIntentId,
        disputeId: dispute.id,
        at,
        escalatedAt: command.occurredAt ?? at,
      },
    });
  }
  const outcome = CLOSED.find((status) => status === dispute.status);
  const closedAt = command.occurredAt ?? at;
  // Closed again only by a later notice with another outcome (an appeal won what was lost):
  // a retried older notice must not undo it.
  const closesAgain =
    known?.closedAt != null &&
    outcome !== known.outcome &&
    command.occurredAt != null &&
    command.occurredAt > known.closedAt;
  if (outcome && (!known?.outcome || closesAgain)) {
    const lost = outcome === 'lost' ? (known?.amount ?? amount) : 0;
    const closing = (known?.closings ?? 0) + 1;
    events.push({ type: 'DisputeClosed', data: { ...facts, outcome, lost, closing, closedAt } });
  }
  return events;
}

const CLOSED = ['won', 'lost', 'warning_closed', 'prevented', 'charge_refunded'] as const;

function withDispute(
  known: DisputeRecord | undefined,
  event: EventOf<'PaymentDisputed' | 'DisputeEscalated' | 'DisputeClosed'>,
): DisputeRecord {
  const before = known ?? { amount: 0, inquiry: false, outcome: null, closedAt: null, closings: 0 };
  switch (event.type) {
    case 'PaymentDisputed':
      return { ...before, amount: event.data.amount, inquiry: event.data.inquiry };
    case 'DisputeEscalated':
      return { ...before, inquiry: false };
    case 'DisputeClosed': {
      const { outcome, closedAt, closing } = event.data;
      return { ...before, outcome, closedAt, closings: closing };
    }
  }
}

/**
 * The recorded payment a charge took, checked to be that charge: the same amount, or (under
 * Adaptive Pricing, where the shopper is charged in their own currency) any amount in another
 * currency.
 */
function paymentOf(state: OrderState, cart: Cart, charge: ChargeFacts, code: string) {
  const payment = state.payments[charge.paymentIntentId];
  if (!payment) {
    throw new DomainError(
      'unknown_payment',
      `Payment ${charge.paymentIntentId} is not one recorded on order ${cart.orderId}`,
    );
  }
  const misfit = (what: string) =>
    new DomainError(
      code,
      `${what} does not fit payment ${charge.paymentIntentId} of ${payment.amount} ${payment.currency}`,
    );
  if (
    charge.amount < 1 ||
    (charge.currency === payment.currency && charge.amount !== payment.amount)
  )
    throw misfit(`Charge ${charge.chargeId} of ${charge.amount} ${charge.currency}`);
  return { payment, misfit };
}

/** The payment's share of part of its charge: the same amount unless charged in another currency. */
function shareOf(chargeAmount: number, payment: Payment, charge: ChargeFacts): number {
  return Math.round((chargeAmount * payment.amount) / charge.amount);
}

/**
 * When a refund failed, as best known: the time of its own update's notice, or else when it
 * was heard of (an older notice, retried, can be the one that finds it); never before it was
 * made.
 */
function failedAt(command: Extract<OrderCommand, { type: 'RecordRefunds' }>, refund: RefundFacts) {
  const own = command.refundId === refund.id ? command.occurredAt : null;
  const heard = own ?? command.at;
  return heard > refund.created ? heard : refund.created;
}

function withPayment(
  payments: OrderState['payments'],
  paymentIntentId: string | null | undefined,
  paid: { amount: number; currency: string },
): OrderState['payments'] {
  return paymentIntentId
    ? {
        ...payments,
        [paymentIntentId]: {
          ...paid,
          refunded: 0,
          chargeRefunded: 0,
          refundIds: [],
          failedRefundIds: [],
          disputes: {},
        },
      }
    : payments;
}

function checkoutStarted(orderId: string, session: SessionFacts, at: string): OrderEvent {
  return {
    type: 'CheckoutStarted',
    data: {
      orderId,
      sessionId: session.id,
      url: session.url ?? '',
      expiresAt: session.expiresAt,
      amount: session.amountTotal,
      currency: session.currency,
      at,
    },
  };
}

function requireCart(state: OrderState): Cart {
  if (!state.cart) throw new DomainError('unknown_order', 'No such order');
  return state.cart;
}
