/**
 * The one module that knows Stripe's API. Everything else speaks SessionFacts and
 * StripeNotification. Pointed at the local sandbox (or stripe-mock) by `apiUrl`, it
 * takes exactly the code path it takes against real Stripe.
 */
import Stripe from 'stripe';
import { z } from 'zod';
import { imageUrl } from '../catalog/image-url';
import type { ChargeFacts, DisputeFacts, RefundFacts, SessionFacts } from '../checkout/order';
import type { OrderLine } from '../domain/events';
import { maskSensitive } from '../masking';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  apiUrl?: string | undefined;
  timeoutMs?: number;
}

export interface CheckoutSessionRequest {
  orderId: string;
  lines: OrderLine[];
  currency: string;
  email: string;
  successUrl: string;
  cancelUrl: string;
  expiresAt: Date;
  locale?: string | undefined;
  /** The shop's public URL, which makes relative product images absolute, as Stripe requires. */
  imageBase: string;
}

/**
 * A session as Stripe has it, and Stripe's clock when it answered (epoch ms, from its `Date`
 * header; null when it sent none): what decides whether a session is due to expire.
 */
export interface SessionReading {
  session: SessionFacts;
  stripeTime: number | null;
}

/** A verified webhook, and what it tells of the kinds we act on. */
export interface StripeNotification {
  id: string;
  type: string;
  /** When Stripe says the event happened (its `created`), as an ISO time; null if it gave none. */
  created: string | null;
  news: StripeNews;
}

type StripeNews =
  /** A `checkout.session.*` event's session. */
  | { kind: 'session'; session: SessionFacts }
  /**
   * A charge whose refunds changed: the one a `charge.refunded` shows, or the id of the one a
   * refund's update names (a refund that failed, say), with that refund. Null: not a payment
   * intent's.
   */
  | { kind: 'refunds'; charge: ChargeFacts | string | null; refundId?: string }
  /** The dispute a `charge.dispute.*` event shows. */
  | { kind: 'dispute'; dispute: DisputeFacts }
  | { kind: 'other' };

/** Stripe answered and said no (bad request, card error, auth). */
export class StripeRefusedError extends Error {
  override readonly name: string = 'StripeRefusedError';
  constructor(
    message: string,
    /** The request parameter Stripe named as the problem, if it named one. */
    readonly param?: string,
  ) {
    super(message);
  }
}

/**
 * Stripe does not know the object (`resource_missing`): e.g. a session made with another
 * account's or the other mode's keys. Nobody can ever pay it through this account.
 */
export class StripeMissingError extends StripeRefusedError {
  override readonly name = 'StripeMissingError';
}

/** Stripe could not be reached, timed out, or failed on its side. */
export class StripeUnavailableError extends Error {
  override readonly name = 'StripeUnavailableError';
}

/**
 * Stripe is still processing another request with the same idempotency key (its 409): for a
 * checkout, another request for the same order, whose answer is on its way.
 */
export class StripeBusyError extends Error {
  override readonly name = 'StripeBusyError';
}

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

/** Correctly signed, but not the event shape Stripe sends. */
export class MalformedWebhookError extends Error {
  override readonly name = 'MalformedWebhookError';
}

const EventEnvelope = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: z.number().int().positive().max(253_402_300_799).optional().catch(undefined),
});
const SessionShape = z.object({
  id: z.string().min(1),
  url: z.string().nullish(),
  expires_at: z.number().int().positive(),
  status: z.string().nullish(),
  payment_status: z.string(),
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
  payment_intent: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  client_reference_id: z.string().nullish(),
  currency_conversion: z
    .object({ amount_total: z.number().int(), source_currency: z.string() })
    .nullish(),
});

/** Stripe's ids are at most 5000 characters (its API spec): a longer one is not Stripe's. */
const StripeId = z.string().min(1).max(5000);
/** An id, or the object it names when the event expanded it. */
const IdOf = z.union([StripeId, z.object({ id: StripeId })]);

const ChargeShape = z.object({
  id: StripeId,
  // An empty one is no payment intent: the charge is not a checkout's.
  payment_intent: z.union([z.string().max(5000), z.object({ id: z.string().max(5000) })]).nullish(),
  amount: z.number().int().min(0),
  currency: z.string().min(1),
});
const DisputeShape = z.object({
  id: StripeId,
  charge: IdOf,
  amount: z.number().int().min(0),
  currency: z.string().min(1),
  reason: z.string().nullish(),
  status: z.string().min(1),
  created: z.number().int().positive().max(253_402_300_799),
});
const RefundShape = z.object({
  id: StripeId,
  charge: IdOf.nullish(),
  amount: z.number().int().min(0),
  currency: z.string().min(1),
  created: z.number().int().positive(),
  status: z.string().nullish(),
});

const STRIPE_LOCALES = new Set(['auto', 'de', 'en', 'es', 'fr', 'it', 'nl', 'pt']);

export class StripeGateway {
  private readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    const api = settings.apiUrl ? new URL(settings.apiUrl) : undefined;
    this.stripe = new Stripe(settings.secretKey, {
      maxNetworkRetries: 1,
      // Stripe's request telemetry buffers per request; nothing here reads it.
      telemetry: false,
      // node:http costs less per call than the default fetch client.
      httpClient: Stripe.createNodeHttpClient(),
      timeout: settings.timeoutMs ?? 10_000,
      ...(api && {
        host: api.hostname,
        port: api.port || (api.protocol === 'https:' ? 443 : 80),
        protocol: api.protocol === 'https:' ? 'https' : 'http',
      }),
    });
  }

  async createCheckoutSession(request: CheckoutSessionRequest): Promise<SessionFacts> {
    const locale = request.locale?.slice(0, 2).toLowerCase();
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      line_items: request.lines.map((line) => {
        const image = imageUrl(line.image, request.imageBase);
        return {
          quantity: line.quantity,
          price_data: {
            currency: request.currency,
            unit_amount: line.unitAmount,
            product_data: { name: line.name, ...(image && { images: [image] }) },
          },
        };
      }),
      customer_email: request.email,
      client_reference_id: request.orderId,
      metadata: { orderId: request.orderId },
      expires_at: Math.floor(request.expiresAt.getTime() / 1000),
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
      locale: (locale && STRIPE_LOCALES.has(locale)
        ? locale
        : 'auto') as Stripe.Checkout.SessionCreateParams.Locale,
    };
    const session = await this.call(() =>
      this.stripe.checkout.sessions.create(params, {
        idempotencyKey: `checkout-${request.orderId}`,
      }),
    );
    return sessionFrom(session);
  }

  async retrieveCheckoutSession(sessionId: string): Promise<SessionFacts> {
    return (await this.readCheckoutSession(sessionId)).session;
  }

  /** The session, with the time on Stripe's clock when it answered. */
  async readCheckoutSession(sessionId: string): Promise<SessionReading> {
    const reply = await this.call(() => this.stripe.checkout.sessions.retrieve(sessionId));
    const stripeTime = Date.parse(reply.lastResponse?.headers?.date ?? '');
    return {
      session: sessionFrom(reply),
      stripeTime: Number.isNaN(stripeTime) ? null : stripeTime,
    };
  }

  /**
   * The Checkout Session a payment intent was made by (it names the order); null when none
   * was: a payment made some other way on the same Stripe account.
   */
  async sessionOfPaymentIntent(paymentIntentId: string): Promise<SessionFacts | null> {
    const list = await this.call(() =>
      this.stripe.checkout.sessions.list({ payment_intent: paymentIntentId, limit: 1 }),
    );
    const [session] = list.data;
    return session ? sessionFrom(session) : null;
  }

  /** The charge's refunds, oldest first: those that give money back (or will: pending), and those that failed. */
  async refundsOfCharge(chargeId: string): Promise<RefundFacts[]> {
    const refunds: RefundFacts[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call(() =>
        this.stripe.refunds.list({
          charge: chargeId,
          limit: 100,
          ...(startingAfter && { starting_after: startingAfter }),
        }),
      );
      for (const reply of page.data) {
        const refund = RefundShape.safeParse(reply);
        if (!refund.success) throw new StripeUnavailableError('Stripe answered with no refund');
        const { id, amount, currency, created, status } = refund.data;
        const failed = status === 'failed' || status === 'canceled';
        refunds.push({
          id,
          amount,
          currency,
          created: new Date(created * 1000).toISOString(),
          failed,
        });
      }
      if (!page.has_more || page.data.length === 0) return refunds.reverse();
      startingAfter = page.data.at(-1)!.id;
    }
  }

  /** The charge's facts; null for a charge made without a payment intent (not a checkout's). */
  async chargeFacts(chargeId: string): Promise<ChargeFacts | null> {
    const reply = await this.call(() => this.stripe.charges.retrieve(chargeId));
    const charge = ChargeShape.safeParse(reply);
    if (!charge.success) throw new StripeUnavailableError('Stripe answered with no charge');
    return toChargeFacts(charge.data);
  }

  /** Ends an open session at Stripe, so it can no longer be paid; refused unless it is open. */
  async expireCheckoutSession(sessionId: string): Promise<SessionFacts> {
    return sessionFrom(await this.call(() => this.stripe.checkout.sessions.expire(sessionId)));
  }

  /** Verifies `Stripe-Signature` over the exact raw bytes Stripe sent; throws WebhookSignatureError. */
  verifyWebhook(rawBody: Buffer, signature: string | undefined): StripeNotification {
    if (!signature) throw new WebhookSignatureError('Missing Stripe-Signature header');
    let event: Stripe.Event;
    try {
      // Decoded once here: given bytes, the stripe package decodes them twice (to check, then to
      // parse). A string's signature is checked over its UTF-8 encoding: the bytes received,
      // whenever they are valid UTF-8 (Stripe's always are).
      const payload = rawBody.toString('utf8');
      event = this.stripe.webhooks.constructEvent(payload, signature, this.settings.webhookSecret);
    } catch (error) {
      throw new WebhookSignatureError(error instanceof Error ? error.message : 'Invalid signature');
    }
    // Signed is not the same as well formed: check the fields we read before trusting them.
    const envelope = EventEnvelope.safeParse(event);
    if (!envelope.success) throw new MalformedWebhookError('The event has no id or type');
    const { id, type } = envelope.data;
    const created =
      envelope.data.created === undefined
        ? null
        : new Date(envelope.data.created * 1000).toISOString();
    const object = (event.data as { object?: { object?: string } } | undefined)?.object;
    return { id, type, created, news: newsOf(type, object) };
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError) {
        // Stripe's text may quote the shopper's address or a key; it goes into CheckoutFailed for good.
        const said = maskSensitive(error.message);
        if (error.statusCode === 409) throw new StripeBusyError(`Stripe busy: ${said}`);
        if (error.statusCode === 404 && error.code === 'resource_missing')
          throw new StripeMissingError(`Stripe has no such object: ${said}`);
        const unavailable =
          error instanceof Stripe.errors.StripeConnectionError ||
          error instanceof Stripe.errors.StripeAPIError ||
          error instanceof Stripe.errors.StripeRateLimitError ||
          (error.statusCode ?? 0) >= 500;
        if (unavailable) throw new StripeUnavailableError(`Stripe unavailable: ${said}`);
        throw new StripeRefusedError(`Stripe refused: ${said}`, error.param);
      }
      throw error;
    }
  }
}

/** What an event of `type` with this object tells; checked first, as it is read. */
function newsOf(type: string, object: { object?: string } | undefined): StripeNews {
  const kind = object?.object;
  if (type === 'charge.refunded' && kind === 'charge')
    return { kind: 'refunds', charge: chargeOf(object) };
  // Sent when a refund changes, as when it fails (charge.refund.updated for some payment
  // methods only; refund.* for all since API 2024-10-28): the charge's refunds are read again.
  if (REFUND_UPDATES.has(type) && kind === 'refund') return refundNewsOf(object);
  if (type.startsWith('charge.dispute.') && kind === 'dispute')
    return { kind: 'dispute', dispute: disputeOf(object) };
  if (!type.startsWith('checkout.session.') || kind !== 'checkout.session')
    return { kind: 'other' };
  const session = SessionShape.safeParse(object);
  if (!session.success) {
    const issue = session.error.issues[0]!;
    throw new MalformedWebhookError(`The checkout session is malformed at ${issue.path.join('.')}`);
  }
  return { kind: 'session', session: toSessionFacts(object as Stripe.Checkout.Session) };
}

/** A refunded charge's facts; null for a charge made without a payment intent (not a checkout's). */
function chargeOf(object: unknown): ChargeFacts | null {
  const charge = ChargeShape.safeParse(object);
  if (!charge.success) {
    const issue = charge.error.issues[0]!;
    throw new MalformedWebhookError(`The charge is malformed at ${issue.path.join('.')}`);
  }
  return toChargeFacts(charge.data);
}

function toChargeFacts(charge: z.infer<typeof ChargeShape>): ChargeFacts | null {
  const { id, payment_intent: intent, amount, currency } = charge;
  const paymentIntentId = typeof intent === 'string' ? intent : intent?.id;
  return paymentIntentId ? { chargeId: id, paymentIntentId, amount, currency } : null;
}

const REFUND_UPDATES = new Set(['charge.refund.updated', 'refund.updated', 'refund.failed']);

/** The refund's charge (null for one not made on a charge: not a checkout's), and the refund. */
function refundNewsOf(object: unknown): StripeNews {
  const refund = RefundShape.safeParse(object);
  if (!refund.success) {
    const issue = refund.error.issues[0]!;
    throw new MalformedWebhookError(`The refund is malformed at ${issue.path.join('.')}`);
  }
  const { charge, id } = refund.data;
  return {
    kind: 'refunds',
    charge: typeof charge === 'string' ? charge : (charge?.id ?? null),
    refundId: id,
  };
}

function disputeOf(object: unknown): DisputeFacts {
  const dispute = DisputeShape.safeParse(object);
  if (!dispute.success) {
    const issue = dispute.error.issues[0]!;
    throw new MalformedWebhookError(`The dispute is malformed at ${issue.path.join('.')}`);
  }
  const { id, charge, amount, currency, reason, status, created } = dispute.data;
  return {
    id,
    chargeId: typeof charge === 'string' ? charge : charge.id,
    amount,
    currency,
    reason: reason ?? 'general',
    status,
    created: new Date(created * 1000).toISOString(),
  };
}

/**
 * An API reply read as a session, checked first as a webhook's is: a reply that is no
 * Checkout Session (a proxy's page, a changed API) is Stripe not answering, so the checkout
 * fails cleanly and gives its stock back rather than answering 500 with the stock held.
 */
function sessionFrom(reply: Stripe.Checkout.Session): SessionFacts {
  const checked = SessionShape.safeParse(reply);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new StripeUnavailableError(
      `Stripe answered with no Checkout Session (${issue.path.join('.') || 'the body'}: ${issue.message})`,
    );
  }
  return toSessionFacts(reply);
}

function toSessionFacts(session: Stripe.Checkout.Session): SessionFacts {
  const intent = session.payment_intent;
  // Adaptive Pricing (sessions made before 2025-03-31) reports the shopper's currency in
  // amount_total and currency, and what the shop priced in currency_conversion.
  const converted = (
    session as { currency_conversion?: { amount_total?: number; source_currency?: string } | null }
  ).currency_conversion;
  return {
    id: session.id,
    url: session.url ?? null,
    expiresAt: new Date(session.expires_at * 1000).toISOString(),
    status: oneOf(session.status, ['complete', 'expired'] as const) ?? 'open',
    paymentStatus:
      oneOf(session.payment_status, ['paid', 'no_payment_required'] as const) ?? 'unpaid',
    amountTotal: converted?.amount_total ?? session.amount_total ?? 0,
    currency: converted?.source_currency ?? session.currency ?? '',
    paymentIntentId: typeof intent === 'string' ? intent : (intent?.id ?? null),
    orderId: session.metadata?.orderId ?? session.client_reference_id ?? null,
  };
}

/** Stripe's enums are open (new values may appear); anything unknown falls back to the caller's default. */
function oneOf<T extends string>(value: string | null, known: readonly T[]): T | undefined {
  return known.find((k) => k === value);
}
