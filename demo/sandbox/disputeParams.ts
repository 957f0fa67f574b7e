import type { ParamSpec } from './params';

/** The reasons Stripe's spec lists for a dispute (in its description: the field is a string). */
export const DISPUTE_REASONS = [
  'bank_cannot_process',
  'check_returned',
  'credit_not_processed',
  'customer_initiated',
  'debit_not_authorized',
  'duplicate',
  'fraudulent',
  'general',
  'incorrect_account_details',
  'insufficient_funds',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;

export type DisputeReason = (typeof DISPUTE_REASONS)[number];

/**
 * The query of `GET /v1/disputes`: a charge's or payment intent's dispute (or all), newest
 * first. `created` and `ending_before` are not taken (test/sandbox checks the rest against
 * Stripe's spec).
 */
export const DISPUTE_LIST_PARAMS = {
  charge: { type: 'string', maxLength: 5000 },
  payment_intent: { type: 'string', maxLength: 5000 },
  limit: { type: 'integer', min: 1, max: 100 },
  starting_after: { type: 'string', maxLength: 5000 },
  expand: { type: 'array', items: { type: 'string', maxLength: 5000 } },
} as const satisfies Record<string, ParamSpec>;

export interface RawDisputeListParams {
  charge?: string;
  payment_intent?: string;
  limit?: number;
  starting_after?: string;
  expand?: string[];
}
