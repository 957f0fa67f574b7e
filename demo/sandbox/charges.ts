import type { SandboxClock } from './clock';
import type { DisputeReason } from './disputeParams';
import { invalidRequest } from './errors';
import type { EventRequest } from './events';
import { newChargeId, newDisputeId, newRefundId } from './ids';
import { formatMoney } from './money';
import type { RefundFailureReason } from './refundParams';
import type { SessionState } from './sessions';

/**
 * The money taken for one paid session; refunds add to `amountRefunded` and a failed refund
 * takes its amount back off, and a dispute, once opened, stays its `dispute`.
 */
export interface ChargeState {
  readonly id: string;
  readonly sessionId: string;
  readonly paymentIntent: string;
  readonly amount: number;
  readonly currency: string;
  /** When the session was paid (card) or its debit settled. */
  readonly created: number;
  /** Its session's Stripe-Version, which its refund and dispute events carry as session events do. */
  readonly apiVersion: string | null;
  amountRefunded: number;
  /** Stripe allows one per charge. */
  dispute: DisputeState | null;
}

export interface RefundState {
  readonly id: string;
  readonly charge: ChargeState;
  readonly amount: number;
  readonly reason: RefundReason | null;
  readonly metadata: Record<string, string>;
  readonly created: number;
  /** The sandbox's refunds succeed at once; the shopper's bank may still make one fail. */
  status: RefundStatus;
  /** Set once failed. */
  failureReason: RefundFailureReason | null;
}

export type RefundStatus = 'succeeded' | 'failed';

/** A chargeback, or an inquiry: the issuer's questions, before any money is taken. */
export interface DisputeState {
  readonly id: string;
  readonly charge: ChargeState;
  readonly amount: number;
  readonly reason: DisputeReason;
  readonly inquiry: boolean;
  readonly created: number;
  status: DisputeStatus;
}

/** How a dispute ends: a chargeback is won or lost, an inquiry closed. */
export type DisputeOutcome = 'won' | 'lost' | 'warning_closed';
export type DisputeStatus = 'needs_response' | 'warning_needs_response' | DisputeOutcome;

export interface DisputeRequest {
  /** Default: all that is still unrefunded. */
  amount?: number;
  /** Default 'fraudulent', the most common. */
  reason?: DisputeReason;
  inquiry?: boolean;
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface RefundRequest {
  /** Default: all that is still unrefunded. */
  amount?: number;
  reason?: RefundReason;
  metadata?: Record<string, string>;
}

interface StoreDeps {
  clock: SandboxClock;
  /** After a refund is recorded: the caller sends charge.refunded and refund.created. */
  onRefund: (refund: RefundState, request?: EventRequest) => void;
  /** After a refund has failed and its amount is back on the charge. */
  onRefundFailed: (refund: RefundState) => void;
  /** After a dispute is opened or closed: the caller sends `types`, in this order. */
  onDispute: (dispute: DisputeState, types: readonly string[], request?: EventRequest) => void;
}

/** One charge per paid session, and the refunds and dispute made against it. */
export class ChargeStore {
  private readonly byId = new Map<string, ChargeState>();
  private readonly bySession = new Map<string, ChargeState>();
  private readonly refundsMade = new Map<string, RefundState>();
  private readonly disputesMade = new Map<string, DisputeState>();

  constructor(private readonly deps: StoreDeps) {}

  /** The session's charge, made the first time it is seen paid. */
  record(session: SessionState): ChargeState {
    const existing = this.bySession.get(session.id);
    if (existing) return existing;
    if (session.paymentStatus !== 'paid' || session.paymentIntent === null) {
      throw new Error(`Checkout session ${session.id} is not paid`);
    }
    const charge: ChargeState = {
      id: newChargeId(),
      sessionId: session.id,
      paymentIntent: session.paymentIntent,
      amount: session.input.amountTotal,
      currency: session.input.currency,
      created: this.deps.clock.nowSeconds(),
      apiVersion: session.apiVersion,
      amountRefunded: 0,
      dispute: null,
    };
    this.byId.set(charge.id, charge);
    this.bySession.set(session.id, charge);
    return charge;
  }

  get(id: string): ChargeState | undefined {
    return this.byId.get(id);
  }

  forSession(sessionId: string): ChargeState | undefined {
    return this.bySession.get(sessionId);
  }

  /** Refunds part or all of what remains; refused, in Stripe's words, when it cannot. */
  refund(charge: ChargeState, request: RefundRequest, apiRequest?: EventRequest): RefundState {
    // The money is already back with the shopper; an inquiry has taken none, so it may be refunded.
    if (charge.dispute && !charge.dispute.inquiry) {
      throw invalidRequest(
        `Charge ${charge.id} has been charged back; cannot issue a refund.`,
        undefined,
        'charge_disputed',
      );
    }
    const remaining = charge.amount - charge.amountRefunded;
    if (remaining === 0) {
      throw invalidRequest(
        `Charge ${charge.id} has already been refunded.`,
        undefined,
        'charge_already_refunded',
      );
    }
    const amount = request.amount ?? remaining;
    if (amount > remaining) {
      const money = (minor: number) => formatMoney(minor, charge.currency, 'en');
      throw invalidRequest(
        `Refund amount (${money(amount)}) is greater than unrefunded amount on charge (${money(remaining)})`,
        'amount',
      );
    }
    charge.amountRefunded += amount;
    const refund: RefundState = {
      id: newRefundId(),
      charge,
      amount,
      reason: request.reason ?? null,
      metadata: request.metadata ?? {},
      created: this.deps.clock.nowSeconds(),
      status: 'succeeded',
      failureReason: null,
    };
    this.refundsMade.set(refund.id, refund);
    this.deps.onRefund(refund, apiRequest);
    return refund;
  }

  /**
   * Fails a refund as the shopper's bank does when it cannot take the money (a closed card):
   * the amount goes back to the merchant, so the charge can be refunded again. Once only.
   */
  failRefund(refund: RefundState, reason: RefundFailureReason): void {
    if (refund.status === 'failed') {
      throw invalidRequest(`Refund ${refund.id} has already failed.`);
    }
    refund.status = 'failed';
    refund.failureReason = reason;
    refund.charge.amountRefunded -= refund.amount;
    this.deps.onRefundFailed(refund);
  }

  getRefund(id: string): RefundState | undefined {
    return this.refundsMade.get(id);
  }

  /** Every refund made, oldest first, failed ones included. */
  refunds(): RefundState[] {
    return [...this.refundsMade.values()];
  }

  /**
   * Opens the charge's dispute, as the shopper's bank does (Stripe's API cannot): a chargeback
   * takes the money at once (funds_withdrawn), an inquiry takes none.
   */
  dispute(charge: ChargeState, request: DisputeRequest): DisputeState {
    if (charge.dispute) {
      throw invalidRequest(`Charge ${charge.id} has already been disputed (${charge.dispute.id}).`);
    }
    const remaining = charge.amount - charge.amountRefunded;
    if (remaining === 0) {
      throw invalidRequest(`Charge ${charge.id} has been refunded in full: nothing to dispute.`);
    }
    const amount = request.amount ?? remaining;
    if (amount > remaining) {
      const money = (minor: number) => formatMoney(minor, charge.currency, 'en');
      throw invalidRequest(
        `Dispute amount (${money(amount)}) is greater than unrefunded amount on charge (${money(remaining)})`,
        'amount',
      );
    }
    const inquiry = request.inquiry ?? false;
    const dispute: DisputeState = {
      id: newDisputeId(),
      charge,
      amount,
      reason: request.reason ?? 'fraudulent',
      inquiry,
      created: this.deps.clock.nowSeconds(),
      status: inquiry ? 'warning_needs_response' : 'needs_response',
    };
    charge.dispute = dispute;
    this.disputesMade.set(dispute.id, dispute);
    this.deps.onDispute(
      dispute,
      inquiry
        ? ['charge.dispute.created']
        : ['charge.dispute.created', 'charge.dispute.funds_withdrawn'],
    );
    return dispute;
  }

  /**
   * Ends a dispute once: a chargeback as 'won' or 'lost', an inquiry as 'warning_closed'.
   * Refused, in words the API can answer with, for the wrong kind or a second time.
   */
  closeDispute(dispute: DisputeState, outcome: DisputeOutcome, request?: EventRequest): void {
    if (dispute.status !== 'needs_response' && dispute.status !== 'warning_needs_response') {
      throw invalidRequest(
        `Dispute ${dispute.id} is already closed: its status is ${dispute.status}.`,
      );
    }
    const outcomes: readonly DisputeOutcome[] = dispute.inquiry
      ? ['warning_closed']
      : ['won', 'lost'];
    if (!outcomes.includes(outcome)) {
      const kind = dispute.inquiry ? 'an inquiry' : 'a chargeback';
      throw invalidRequest(
        `Dispute ${dispute.id} is ${kind}: it closes as ${outcomes.join(' or ')}, not ${outcome}.`,
      );
    }
    dispute.status = outcome;
    // Stripe gives a won dispute's money back before it reports the dispute closed.
    this.deps.onDispute(
      dispute,
      outcome === 'won'
        ? ['charge.dispute.funds_reinstated', 'charge.dispute.closed']
        : ['charge.dispute.closed'],
      request,
    );
  }

  getDispute(id: string): DisputeState | undefined {
    return this.disputesMade.get(id);
  }

  /** Every dispute opened, oldest first. */
  disputes(): DisputeState[] {
    return [...this.disputesMade.values()];
  }
}
