import type { ParamSpec } from './params';

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/**
 * Why a refund failed after it was made, as Stripe's spec lists them (in the description of
 * `failure_reason`: the field is a string).
 */
export const REFUND_FAILURE_REASONS = [
  'lost_or_stolen_card',
  'expired_or_canceled_card',
  'unknown',
] as const;

export type RefundFailureReason = (typeof REFUND_FAILURE_REASONS)[number];

/**
 * The parameters of `POST /v1/refunds` the sandbox accepts, with Stripe's names, types and
 * limits (test/sandbox checks them against Stripe's OpenAPI spec). Stripe wants one of
 * `payment_intent` and `charge`; the Connect ones (`reverse_transfer`, ...) are refused.
 */
export const REFUND_CREATE_PARAMS = {
  payment_intent: { type: 'string', maxLength: 5000 },
  charge: { type: 'string', maxLength: 5000 },
  amount: { type: 'integer', min: 1 },
  reason: { type: 'string', maxLength: 5000, enum: REFUND_REASONS },
  metadata: { type: 'map', values: { type: 'string', maxLength: 500 } },
  expand: { type: 'array', items: { type: 'string', maxLength: 5000 } },
} as const satisfies Record<string, ParamSpec>;

/** The validated form, as `validateParams` returns it for the schema above. */
export interface RawRefundParams {
  payment_intent?: string;
  charge?: string;
  amount?: number;
  reason?: (typeof REFUND_REASONS)[number];
  metadata?: Record<string, string>;
  expand?: string[];
}

/** The query of `GET /v1/refunds`: a charge's or payment intent's refunds, newest first. */
export const REFUND_LIST_PARAMS = {
  charge: { type: 'string', maxLength: 5000 },
  payment_intent: { type: 'string', maxLength: 5000 },
  limit: { type: 'integer', min: 1, max: 100 },
  starting_after: { type: 'string', maxLength: 5000 },
  expand: { type: 'array', items: { type: 'string', maxLength: 5000 } },
} as const satisfies Record<string, ParamSpec>;

export interface RawRefundListParams {
  charge?: string;
  payment_intent?: string;
  limit?: number;
  starting_after?: string;
  expand?: string[];
}
