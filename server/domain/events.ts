/**
 * The event catalogue: every fact stripe-cart records, one zod schema each.
 * Projections, analytics and tests all read events through these definitions.
 * Money is an integer in the currency's minor unit, always beside its currency.
 * Every payload carries `at` (ISO time the fact happened, from the command's clock),
 * so histories rebuild to the same figures whenever they are replayed.
 */
import { z } from 'zod';

export const Sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, - and _ only');
export const Currency = z.string().regex(/^[a-z]{3}$/, 'a lower-case ISO 4217 code, e.g. eur');
/**
 * The most one Stripe payment can take: amounts have at most eight digits (99,999,999 minor
 * units, e.g. €999,999.99). Prices, line amounts and order totals all stay within it.
 */
export const MAX_AMOUNT = 99_999_999;
export const MinorUnits = z.number().int().min(0).max(MAX_AMOUNT);
const At = z.string().datetime({ offset: true });

const productFields = {
  sku: Sku,
  name: z.string().min(1).max(200),
  description: z.string().max(2000),
  image: z.string().max(2000),
  unitAmount: MinorUnits,
  currency: Currency,
};

/**
 * Set when the catalog file (CATALOG_FILE) gave these details: the file is then compared with
 * what it said last, so the site owner's own changes and delistings outlive a restart.
 */
const Source = z.enum(['catalog-file']).optional();
const ProductListed = z.object({ ...productFields, at: At, source: Source });
const ProductUpdated = z.object({ ...productFields, at: At, source: Source });
const ProductDelisted = z.object({ sku: Sku, at: At });
const StockAdjusted = z.object({
  sku: Sku,
  delta: z.number().int(),
  reason: z.string().min(1).max(200),
  /** The caller's id for the adjustment, when it gave one: a retry of it changes nothing. */
  requestId: z.string().uuid().optional(),
  at: At,
});
const StockReserved = z.object({
  sku: Sku,
  orderId: z.string().uuid(),
  quantity: z.number().int().positive(),
  expiresAt: At,
  at: At,
});
const ReleaseReason = z.enum([
  'rollback',
  'checkout_failed',
  'payment_failed',
  'expired',
  'swept',
  // The shopper left Stripe's page by its cancel link: the session was ended there first.
  'cancelled',
]);
const StockReleased = z.object({
  sku: Sku,
  orderId: z.string().uuid(),
  quantity: z.number().int().positive(),
  reason: ReleaseReason,
  at: At,
});
/**
 * A late payment's units taken back from stock: the order was paid after its hold had been
 * released, and these units were still there. The order holds them again, as its sale.
 */
const StockRetaken = z.object({
  sku: Sku,
  orderId: z.string().uuid(),
  quantity: z.number().int().positive(),
  at: At,
});
/**
 * A late payment found its units still held here: its order's release was decided before the
 * payment but had not reached this product yet. The units are its sale from now on, so that
 * release gives nothing back (and no other order's shortfall can take them).
 */
const HoldKept = z.object({
  sku: Sku,
  orderId: z.string().uuid(),
  quantity: z.number().int().positive(),
  at: At,
});
/**
 * A late payment's units this product no longer had (sold to other orders meanwhile):
 * nothing is oversold, and the site owner refunds or restocks the `missing` units.
 */
const StockShortfall = z.object({
  sku: Sku,
  orderId: z.string().uuid(),
  missing: z.number().int().positive(),
  at: At,
});

/**
 * A shortfall the site owner settled another way (refunded the missing units, or the shopper
 * agreed to do without): a restock no longer fills it. `units` is what was still missing.
 */
const ShortfallSettled = z.object({
  sku: Sku,
  orderId: z.string().uuid(),
  units: z.number().int().positive(),
  reason: z.string().min(1).max(200),
  at: At,
});

export const OrderLine = z.object({
  sku: Sku,
  name: z.string(),
  image: z.string(),
  unitAmount: MinorUnits,
  quantity: z.number().int().positive(),
  amount: MinorUnits,
});
export type OrderLine = z.infer<typeof OrderLine>;

const CartValidated = z.object({
  orderId: z.string().uuid(),
  checkoutId: z.string().uuid(),
  lines: z.array(OrderLine).min(1),
  currency: Currency,
  total: MinorUnits,
  email: z.string(),
  origin: z.string(),
  returnUrl: z.string(),
  locale: z.string().optional(),
  at: At,
});
const CheckoutStarted = z.object({
  orderId: z.string().uuid(),
  sessionId: z.string(),
  url: z.string(),
  expiresAt: At,
  amount: MinorUnits,
  currency: Currency,
  at: At,
});
const CheckoutFailed = z.object({
  orderId: z.string().uuid(),
  reason: z.enum(['stripe_refused', 'stripe_unreachable', 'stock_unavailable']),
  message: z.string(),
  at: At,
});
const stripeFacts = {
  orderId: z.string().uuid(),
  /** Null when the payment was seen by re-fetching the session, not by a webhook. */
  stripeEventId: z.string().nullable(),
  sessionId: z.string(),
  at: At,
};
const PaymentPending = z.object({ ...stripeFacts, paymentStatus: z.string() });
const PaymentCompleted = z.object({
  ...stripeFacts,
  paymentIntentId: z.string().nullable(),
  amount: MinorUnits,
  currency: Currency,
  /** True when the payment arrived after the order's stock had already been released. */
  late: z.boolean().optional(),
  /**
   * When Stripe says it was paid (the webhook event's `created`), which `at`, the time it was
   * recorded, trails when a delivery was retried. Absent when the session was re-fetched
   * instead, and in events of before it was kept.
   */
  paidAt: At.optional(),
});
/** Stripe reported a payment whose amount or currency is not the order's: never marks it paid. */
const PaymentMismatched = z.object({
  ...stripeFacts,
  /** What to refund in Stripe's dashboard (absent from events of before it was kept). */
  paymentIntentId: z.string().nullable().optional(),
  expected: z.object({ amount: MinorUnits, currency: Currency }),
  received: z.object({ amount: z.number().int(), currency: z.string() }),
});
const PaymentFailed = z.object({ ...stripeFacts });
/** What Stripe said of the order's payment after it was made, and the notice it said it in. */
const afterPayment = {
  orderId: z.string().uuid(),
  /** The notice that made it heard of (one notice may bring several refunds). */
  stripeEventId: z.string(),
  paymentIntentId: z.string(),
};
/**
 * The amount in the currency the shopper was charged in, when Adaptive Pricing made it another
 * than the payment's: `amount` is then its share of the payment in the payment's currency.
 */
const Charged = z.object({ amount: z.number().int().min(1), currency: Currency }).optional();
/**
 * One refund Stripe made on a payment of the order (in Stripe's dashboard or through its
 * API), heard of through `charge.refunded`. `amount` is this refund and `refunded` all the
 * payment has had back with it, in the payment's currency. Stock is not put back: what
 * returns to the shelf is the site owner's call (a restock).
 */
const PaymentRefunded = z.object({
  ...afterPayment,
  chargeId: z.string(),
  refundId: z.string(),
  amount: MinorUnits,
  refunded: MinorUnits,
  currency: Currency,
  /** What Stripe gave back, in the shopper's currency. */
  charged: Charged,
  at: At,
  /** When Stripe made the refund (the refund's `created`). */
  refundedAt: At,
});
/**
 * A refund recorded before failed afterwards (the shopper's bank could not take the money
 * back), so Stripe returned it to the shop: heard of through `refund.failed`,
 * `refund.updated` or `charge.refund.updated`.
 * `amount` is what comes back and `refunded` what the payment has had back without it.
 */
const RefundFailed = z.object({
  ...afterPayment,
  chargeId: z.string(),
  refundId: z.string(),
  amount: MinorUnits,
  refunded: MinorUnits,
  currency: Currency,
  /** What comes back, in the shopper's currency. */
  charged: Charged,
  at: At,
  /**
   * When it failed: the time of the refund's own notice; when another notice found it first,
   * when that was heard; never before the refund was made.
   */
  failedAt: At,
});
/**
 * The shopper's bank disputed a payment of the order (a chargeback, or an inquiry that may
 * become one), heard of through a `charge.dispute.*` event. `amount` is what is disputed, in
 * the payment's currency; an open dispute has Stripe hold that much back until it closes.
 */
const PaymentDisputed = z.object({
  ...afterPayment,
  chargeId: z.string(),
  disputeId: z.string(),
  amount: MinorUnits,
  currency: Currency,
  /** What the bank disputes, in the shopper's currency. */
  charged: Charged,
  /** The bank's reason, as Stripe names it (`fraudulent`, `product_not_received`, ...). */
  reason: z.string().max(100),
  /** An inquiry (Stripe's `warning_*` statuses): nothing is held back unless it escalates. */
  inquiry: z.boolean(),
  at: At,
  /** When Stripe opened it (the dispute's `created`). */
  disputedAt: At,
});
/** An inquiry became a chargeback: Stripe now holds the disputed amount back. */
const DisputeEscalated = z.object({
  ...afterPayment,
  disputeId: z.string(),
  at: At,
  /** When Stripe said so (the notice's `created`), or `at` when it gave no time. */
  escalatedAt: At,
});
/**
 * A dispute of the order's payment closed, or closed again with another outcome (an appeal
 * won what was lost). `lost` is what the shop has lost to it now (the disputed amount when
 * the bank decided for the shopper, else 0), in the payment's currency.
 */
const DisputeClosed = z.object({
  ...afterPayment,
  disputeId: z.string(),
  /** `charge_refunded` is an outcome of API versions before 2014-11-20. */
  outcome: z.enum(['won', 'lost', 'warning_closed', 'prevented', 'charge_refunded']),
  lost: MinorUnits,
  /** 1 for its first closing, then 2, ... */
  closing: z.number().int().min(1),
  currency: Currency,
  at: At,
  /** When Stripe said it closed (the event's `created`), or `at` when it gave no time. */
  closedAt: At,
});
const CheckoutExpired = z.object({
  orderId: z.string().uuid(),
  stripeEventId: z.string().nullable(),
  sessionId: z.string(),
  at: At,
});

export const eventSchemas = {
  ProductListed,
  ProductUpdated,
  ProductDelisted,
  StockAdjusted,
  StockReserved,
  StockReleased,
  StockRetaken,
  HoldKept,
  StockShortfall,
  ShortfallSettled,
  CartValidated,
  CheckoutStarted,
  CheckoutFailed,
  PaymentPending,
  PaymentCompleted,
  PaymentMismatched,
  PaymentFailed,
  PaymentRefunded,
  RefundFailed,
  PaymentDisputed,
  DisputeEscalated,
  DisputeClosed,
  CheckoutExpired,
} as const;

type Schemas = typeof eventSchemas;
export type EventType = keyof Schemas;
/** A domain event: `{ type, data }`, discriminated on `type`. */
export type DomainEvent = {
  [K in EventType]: { type: K; data: z.infer<Schemas[K]> };
}[EventType];
export type EventOf<K extends EventType> = Extract<DomainEvent, { type: K }>;

export const productEventTypes = [
  'ProductListed',
  'ProductUpdated',
  'ProductDelisted',
  'StockAdjusted',
  'StockReserved',
  'StockReleased',
  'StockRetaken',
  'HoldKept',
  'StockShortfall',
  'ShortfallSettled',
] as const satisfies readonly EventType[];
export type ProductEvent = EventOf<(typeof productEventTypes)[number]>;
export type OrderEvent = Exclude<DomainEvent, ProductEvent>;

export const productStream = (sku: string) => `product-${sku}`;
export const orderStream = (orderId: string) => `order-${orderId}`;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventSchemas, type);
}

/** Validates a stored event against the catalogue; throws on an unknown type or bad payload. */
export function toDomainEvent(stored: { type: string; data: unknown }): DomainEvent {
  if (!isEventType(stored.type)) throw new Error(`Unknown event type: ${stored.type}`);
  const data = eventSchemas[stored.type].parse(stored.data);
  return { type: stored.type, data } as DomainEvent;
}
