import type { SandboxClock } from './clock';
import { invalidRequest } from './errors';
import type { EventRequest } from './events';
import { newChargeId, newRefundId } from './ids';
import { formatMoney } from './money';
import type { SessionState } from './sessions';

/** The money taken for one paid session; refunds only add to `amountRefunded`. */
export interface ChargeState {
  readonly id: string;
  readonly sessionId: string;
  readonly paymentIntent: string;
  readonly amount: number;
  readonly currency: string;
  /** When the session was paid (card) or its debit settled. */
  readonly created: number;
  /** Its session's Stripe-Version, which the refund events carry as session events do. */
  readonly apiVersion: string | null;
  amountRefunded: number;
}

export interface RefundState {
  readonly id: string;
  readonly charge: ChargeState;
  readonly amount: number;
  readonly reason: RefundReason | null;
  readonly metadata: Record<string, string>;
  readonly created: number;
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
}

/** One charge per paid session, and the refunds made against it. */
export class ChargeStore {
  private readonly byId = new Map<string, ChargeState>();
  private readonly bySession = new Map<string, ChargeState>();
  private readonly refundsMade: RefundState[] = [];

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
    };
    this.refundsMade.push(refund);
    this.deps.onRefund(refund, apiRequest);
    return refund;
  }

  /** Every refund made, oldest first. */
  refunds(): readonly RefundState[] {
    return this.refundsMade;
  }
}
