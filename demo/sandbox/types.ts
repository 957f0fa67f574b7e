import type { ChargeObject, DisputeObject, RefundObject } from './chargeObject';
import type { DisputeOutcome } from './charges';
import type { DisputeReason } from './disputeParams';
import type { EventDataObject, StripeEventObject } from './events';
import type { FaultKind } from './faults';
import type { RefundFailureReason } from './refundParams';
import type { CheckoutSessionObject } from './sessionObject';
import type { DeliveryOptions, DeliveryRecord } from './webhooks';

export type {
  ChargeObject,
  CheckoutSessionObject,
  DeliveryOptions,
  DeliveryRecord,
  DisputeObject,
  DisputeOutcome,
  DisputeReason,
  EventDataObject,
  FaultKind,
  RefundFailureReason,
  RefundObject,
  StripeEventObject,
};

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Base URL put in session `url`s, when shoppers reach the sandbox by another name. */
  publicUrl?: string;
  /** The API key clients must present; default 'sk_test_sandbox'. */
  secretKey?: string;
  /** Signs webhooks; default 'whsec_sandbox_0123456789abcdef0123456789abcdef'. */
  webhookSecret?: string;
  /** Where events are POSTed; without one, events are recorded but not sent. */
  webhookUrl?: string;
  /** First retry delay, doubled on every further attempt; default 1000. */
  retryInitialDelayMs?: number;
  /** Attempts per event copy before giving up; default 8. */
  maxAttempts?: number;
  /** Time the receiver has to answer one delivery; default 10000. */
  deliveryTimeoutMs?: number;
  /** Time a SEPA debit takes to succeed or fail; default 2000. */
  asyncDelayMs?: number;
  /** Directory with Stripe's fixtures3.json; default ../shared/stripe beside the repository. */
  stripeDataDir?: string;
  /** One line per API call, page submission and webhook attempt; never card data or secrets. */
  log?: (line: string) => void;
}

/** What the shopper "types" on the hosted page; expiry, CVC and email have valid defaults. */
export type SandboxPaymentMethod =
  | { card: string; expiry?: string; cvc?: string; email?: string }
  | { iban: string; email?: string };

export interface SandboxPayResult {
  /** success_url with {CHECKOUT_SESSION_ID} filled in, where the page redirects (303). */
  redirectUrl?: string;
  /** The card was declined; the session stays open. */
  declined?: boolean;
  /** Why nothing was paid (the page's message). */
  error?: string;
}

export interface SandboxDisputeOptions {
  /** Minor units; default all that is still unrefunded. */
  amount?: number;
  /** Default 'fraudulent'. */
  reason?: DisputeReason;
  /** An inquiry (status warning_needs_response): the bank asks questions and takes nothing yet. */
  inquiry?: boolean;
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:PORT (the Stripe API lives under /v1). */
  readonly url: string;
  readonly secretKey: string;
  readonly webhookSecret: string;
  setWebhookUrl(url: string | undefined): void;
  /** Pays through the hosted page's own code path; default card 4242 4242 4242 4242. */
  pay(sessionId: string, paymentMethod?: SandboxPaymentMethod): Promise<SandboxPayResult>;
  /**
   * Settles a bank debit still settling on this session now, as `asyncDelayMs` would (sends
   * its async_payment_succeeded or _failed); false when it has none.
   */
  settle(sessionId: string): boolean;
  /** Expires an open session (sends checkout.session.expired); throws if unknown or not open. */
  expire(sessionId: string): Promise<CheckoutSessionObject>;
  /**
   * Refunds a paid session as the dashboard does: `amount` (minor units) or all that is still
   * unrefunded; sends charge.refunded (the charge with its cumulative `amount_refunded`) and
   * refund.created. Throws if the session is unknown or not paid (an open session, a debit
   * still settling or failed), or if `amount` is more than what remains.
   */
  refund(sessionId: string, amount?: number): Promise<RefundObject>;
  /**
   * Fails a refund after it was made, as Stripe does when the shopper's bank cannot take the
   * money back (default reason 'lost_or_stolen_card'): its status becomes 'failed', with
   * `failure_reason`, and its amount returns to the merchant (the charge's `amount_refunded`
   * drops, `refunded` is false again), so it can be refunded anew. Sends
   * charge.refund.updated with the refund. Throws for an unknown id ("No such refund") or a
   * refund already failed.
   */
  failRefund(refundId: string, reason?: RefundFailureReason): Promise<RefundObject>;
  /**
   * Opens a dispute on a paid session's charge, as the shopper's bank does: a chargeback
   * (status needs_response) sends charge.dispute.created then charge.dispute.funds_withdrawn,
   * an inquiry (status warning_needs_response) charge.dispute.created only. The charge shows
   * `disputed: true` from then on, and a chargeback's can no longer be refunded. Throws if the
   * session is unknown or not paid, the charge already disputed (one per charge, as at
   * Stripe), or `amount` more than what is unrefunded.
   */
  dispute(sessionId: string, options?: SandboxDisputeOptions): Promise<DisputeObject>;
  /**
   * Ends a dispute as the bank decides: a chargeback 'won' (sends charge.dispute.funds_reinstated
   * then charge.dispute.closed) or 'lost' (charge.dispute.closed), an inquiry 'warning_closed'
   * (charge.dispute.closed). Throws for an unknown id, the other kind's outcome, or a dispute
   * already closed.
   */
  closeDispute(disputeId: string, outcome: DisputeOutcome): Promise<DisputeObject>;
  /** The session's charge (`ch_…`), made when it was paid; undefined until then. */
  charge(sessionId: string): ChargeObject | undefined;
  session(id: string): CheckoutSessionObject | undefined;
  sessions(): CheckoutSessionObject[];
  setDelivery(options: Partial<DeliveryOptions>): void;
  /** Sends the events held while `reorder` is on, newest first; returns how many. */
  flush(): number;
  /** A fresh signed event of any type carrying the session as it is now. */
  sendEvent(type: string, sessionId: string): StripeEventObject;
  /** Delivers an already sent event again (same id), as Stripe's retries and resends do. */
  resend(eventId: string): void;
  /**
   * Every event so far, oldest first, refunds' and disputes' included: typed as session
   * events, which most are; check `type` before reading a charge.refunded (ChargeObject),
   * refund.created or charge.refund.updated (RefundObject) or charge.dispute.* (DisputeObject)
   * as such.
   */
  events(): StripeEventObject[];
  deliveries(): DeliveryRecord[];
  /**
   * Resolves once no delivery is pending or retrying and no SEPA debit is still settling.
   * Events held by `reorder` wait for `flush()` and do not count.
   */
  idle(): Promise<void>;
  /** The next `count` (default 1) calls to /v1 fail this way; see FaultKind. */
  failNext(kind: FaultKind, count?: number): void;
  /**
   * Moves the sandbox clock forward (like Stripe test clocks): due sessions expire, unless
   * `expireDue` is false, which plays Stripe's expiry running late: they stay open until
   * their timers, set by the old clock, fire. API replies carry the clock in `Date`.
   */
  advanceClock(ms: number, options?: { expireDue?: boolean }): void;
  close(): Promise<void>;
}
