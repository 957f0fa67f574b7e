import type {
  ChargeState,
  DisputeState,
  DisputeStatus,
  RefundReason,
  RefundState,
  RefundStatus,
} from './charges';
import type { DisputeReason } from './disputeParams';
import type { DisputeTemplate, JsonObject } from './fixtures';
import type { RefundFailureReason } from './refundParams';

/** A `charge` as the API returns it; the fields a refund changes are typed. */
export interface ChargeObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  /** All refunded so far, across every refund of the charge. */
  amount_refunded: number;
  /** True once the whole amount is refunded. */
  refunded: boolean;
  /** True once disputed, inquiries included, and for good. */
  disputed: boolean;
  currency: string;
  payment_intent: string;
  paid: true;
  captured: true;
  status: 'succeeded';
  created: number;
  metadata: Record<string, string>;
  livemode: false;
  [field: string]: unknown;
}

/** A `refund` as the API returns it. */
export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  currency: string;
  payment_intent: string;
  reason: RefundReason | null;
  status: RefundStatus;
  /** Only once failed, as at Stripe. */
  failure_reason?: RefundFailureReason;
  created: number;
  metadata: Record<string, string>;
  [field: string]: unknown;
}

/** A `dispute` as the API returns it. */
export interface DisputeObject {
  id: string;
  object: 'dispute';
  amount: number;
  charge: string;
  currency: string;
  payment_intent: string;
  reason: DisputeReason;
  status: DisputeStatus;
  created: number;
  /** Only an inquiry's charge can still be refunded: a chargeback has taken the money back. */
  is_charge_refundable: boolean;
  evidence: JsonObject;
  evidence_details: JsonObject & {
    due_by: number;
    has_evidence: boolean;
    past_due: boolean;
    submission_count: number;
  };
  metadata: Record<string, string>;
  livemode: false;
  [field: string]: unknown;
}

/** Stripe's deadline for evidence varies by card network; the sandbox gives three weeks. */
const EVIDENCE_DAYS = 21;

/** The template's key order first (Stripe's), then anything the fixtures lack. */
export function toChargeObject(charge: ChargeState, template: JsonObject): ChargeObject {
  return {
    ...template,
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_captured: charge.amount,
    amount_refunded: charge.amountRefunded,
    balance_transaction: null,
    captured: true,
    created: charge.created,
    currency: charge.currency,
    disputed: charge.dispute !== null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: {},
    paid: true,
    payment_intent: charge.paymentIntent,
    refunded: charge.amountRefunded === charge.amount,
    status: 'succeeded',
  };
}

/**
 * Like `toChargeObject`: the template's keys, then the refund's own. A failed one has no
 * `failure_balance_transaction`: the sandbox keeps no balance transactions (its
 * `balance_transaction` is null), and Stripe's spec does not let that field be null.
 */
export function toRefundObject(refund: RefundState, template: JsonObject): RefundObject {
  return {
    ...template,
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    balance_transaction: null,
    charge: refund.charge.id,
    created: refund.created,
    currency: refund.charge.currency,
    metadata: refund.metadata,
    payment_intent: refund.charge.paymentIntent,
    reason: refund.reason,
    status: refund.status,
    ...(refund.failureReason ? { failure_reason: refund.failureReason } : {}),
  };
}

/** Like `toChargeObject`; its evidence starts empty, as no evidence can be submitted here. */
export function toDisputeObject(dispute: DisputeState, template: DisputeTemplate): DisputeObject {
  const { charge } = dispute;
  return {
    ...template.object,
    amount: dispute.amount,
    balance_transactions: [],
    charge: charge.id,
    created: dispute.created,
    currency: charge.currency,
    // Copies: a caller changing one dispute's evidence must not change the next one's.
    evidence: structuredClone(template.evidence),
    evidence_details: {
      ...structuredClone(template.evidenceDetails),
      due_by: dispute.created + EVIDENCE_DAYS * 86_400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    id: dispute.id,
    is_charge_refundable: dispute.inquiry && charge.amountRefunded < charge.amount,
    livemode: false,
    metadata: {},
    object: 'dispute',
    payment_intent: charge.paymentIntent,
    reason: dispute.reason,
    status: dispute.status,
  };
}
