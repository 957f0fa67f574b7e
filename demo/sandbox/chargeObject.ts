import type { ChargeState, RefundReason, RefundState } from './charges';
import type { JsonObject } from './fixtures';

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
  status: 'succeeded';
  created: number;
  metadata: Record<string, string>;
  [field: string]: unknown;
}

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
    disputed: false,
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

/** Like `toChargeObject`: the template's keys, then the refund's own. */
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
    status: 'succeeded',
  };
}
