import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Stripe-looking object ids (`cs_test_…`, `pi_…`, `ch_…`, `re_…`, `dp_…`, `evt_…`, `req_…`), base62 from a CSPRNG. */
function stripeId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

export const newSessionId = (): string => stripeId('cs_test_a1', 56);
export const newPaymentIntentId = (): string => stripeId('pi_3', 23);
export const newChargeId = (): string => stripeId('ch_3', 23);
export const newRefundId = (): string => stripeId('re_3', 23);
export const newDisputeId = (): string => stripeId('dp_1', 23);
export const newEventId = (): string => stripeId('evt_1', 23);
export const newRequestId = (): string => stripeId('req_', 14);
