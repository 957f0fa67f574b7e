/**
 * Analytics queries on the read-model database: plain JSON, money as integer minor units
 * beside its currency. Rates and averages are derived here from stored counts; the
 * counts themselves come only from the projections.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { emptyFunnelCounts, type FunnelCounts } from './funnel';
import type { ProductStock } from './inventory';
import type { OrderStatus, OrderView } from './order';
import {
  type FunnelRow,
  funnelFromRow,
  type InventoryRow,
  type OrderLineRow,
  type OrderRow,
  orderFromRows,
  productFromRow,
} from './rows';

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine(isCalendarDay, 'must be a real calendar day');

function isCalendarDay(day: string): boolean {
  const time = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(day);
}
// Strict, as the admin inputs are: a misspelt filter is refused, not read as no filter.
const DateRange = z.strictObject({ from: Day.optional(), to: Day.optional() });
type DateRange = z.infer<typeof DateRange>;

/**
 * Refuses a reversed range, which would only answer empty figures. Each exported schema
 * needs its own: zod cannot extend a refined object.
 */
const inOrder = <T extends z.ZodType<DateRange>>(schema: T) =>
  schema.refine((range) => !(range.from && range.to && range.from > range.to), {
    // Named by the field, so the CLI says `--from` and the API `from`.
    path: ['from'],
    message: 'must not be after the last day asked for (to)',
  });

export const DateRangeInput = inOrder(DateRange);
/** No input: all time. */
export const SalesReportInput = DateRangeInput.default({});
export const FunnelReportInput = DateRangeInput.default({});
/**
 * An order's status as the reports show it: `expired` split as the funnel splits it, into
 * sessions that expired at Stripe and carts ended before they reached Stripe (`abandoned`),
 * so that every funnel count can be listed.
 */
export type ReportStatus = OrderStatus | 'abandoned';
const ReportStatusSchema = z.enum([
  'validated',
  'checkout_started',
  'pending',
  'paid',
  'failed',
  'expired',
  'abandoned',
  'checkout_failed',
]) satisfies z.ZodType<ReportStatus>;
export const OrdersReportInput = inOrder(
  DateRange.extend({
    status: ReportStatusSchema.optional(),
    /** Case-insensitive part of the shopper's email. */
    email: z.string().min(1).max(200).optional(),
    page: z.number().int().min(1).default(1),
    pageSize: z.number().int().min(1).max(500).default(50),
  }),
);

/** `day` between the range's bounds, both inclusive. */
function dayFilter(column: string, range: DateRange): { sql: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (range.from) {
    clauses.push(`${column} >= ?`);
    params.push(range.from);
  }
  if (range.to) {
    clauses.push(`${column} <= ?`);
    params.push(range.to);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const averageOf = (revenue: number, orders: number) =>
  orders > 0 ? Math.round(revenue / orders) : 0;

export interface SalesFigures {
  currency: string;
  revenue: number;
  orders: number;
  units: number;
  /** revenue / orders, rounded to the minor unit. */
  averageOrderValue: number;
  /** Refunds made in the period (of sales of any day): revenue less this is what the shop kept. */
  refunded: number;
  /** Disputes lost in the period (closed then, of sales of any day): kept from revenue too. */
  lostToDisputes: number;
}

export interface SalesReport {
  from: string | null;
  to: string | null;
  totals: SalesFigures[];
  days: (SalesFigures & { day: string })[];
  products: {
    sku: string;
    name: string;
    currency: string;
    revenue: number;
    units: number;
    orders: number;
    /** Its share of the refunds made in the period, by line amount (of sales of any day). */
    refunded: number;
    /** Its share of the disputes lost in the period, so too. */
    lostToDisputes: number;
  }[];
}

export function salesReport(
  db: Database.Database,
  input: z.input<typeof SalesReportInput>,
): SalesReport {
  const range = SalesReportInput.parse(input);
  const where = dayFilter('day', range);
  const days = db
    .prepare<string[], Omit<SalesFigures, 'averageOrderValue'> & { day: string }>(
      `SELECT day, currency, revenue, orders, units, refunded, lost_to_disputes AS lostToDisputes
       FROM sales_daily ${where.sql} ORDER BY day, currency`,
    )
    .all(...where.params)
    .map((row) => ({ ...row, averageOrderValue: averageOf(row.revenue, row.orders) }));
  const totals = db
    .prepare<string[], Omit<SalesFigures, 'averageOrderValue'>>(
      `SELECT currency, SUM(revenue) AS revenue, SUM(orders) AS orders, SUM(units) AS units,
         SUM(refunded) AS refunded, SUM(lost_to_disputes) AS lostToDisputes
       FROM sales_daily ${where.sql} GROUP BY currency ORDER BY currency`,
    )
    .all(...where.params)
    .map((row) => ({ ...row, averageOrderValue: averageOf(row.revenue, row.orders) }));
  // The product's latest name: the one of its most recent day of sales in the range (a day
  // with only refunds or losses is named after an older sale's lines).
  const inRange = dayFilter('p.day', range);
  const nameFilter = inRange.sql ? `AND ${inRange.sql.slice('WHERE '.length)}` : '';
  const products = db
    .prepare<string[], SalesReport['products'][number]>(
      `SELECT sku, currency,
         (SELECT name FROM sales_by_product p WHERE p.sku = s.sku AND p.currency = s.currency ${nameFilter} ORDER BY orders > 0 DESC, day DESC LIMIT 1) AS name,
         SUM(revenue) AS revenue, SUM(units) AS units, SUM(orders) AS orders,
         SUM(refunded) AS refunded, SUM(lost_to_disputes) AS lostToDisputes
       FROM sales_by_product s ${where.sql} GROUP BY sku, currency ORDER BY currency, revenue DESC, sku`,
    )
    .all(...inRange.params, ...where.params);
  return { from: range.from ?? null, to: range.to ?? null, totals, days, products };
}

export interface FunnelRates {
  /** checkoutsStarted / cartsValidated */
  checkoutRate: number;
  /** paid / checkoutsStarted */
  paymentRate: number;
  /** paid / cartsValidated */
  conversionRate: number;
}

export interface FunnelReport {
  from: string | null;
  to: string | null;
  totals: FunnelCounts & FunnelRates;
  days: (FunnelCounts & FunnelRates & { day: string })[];
}

const ratio = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
const withRates = <T extends FunnelCounts>(counts: T): T & FunnelRates => ({
  ...counts,
  checkoutRate: ratio(counts.checkoutsStarted, counts.cartsValidated),
  paymentRate: ratio(counts.paid, counts.checkoutsStarted),
  conversionRate: ratio(counts.paid, counts.cartsValidated),
});

export function funnelReport(
  db: Database.Database,
  input: z.input<typeof FunnelReportInput>,
): FunnelReport {
  const range = FunnelReportInput.parse(input);
  const where = dayFilter('day', range);
  const rows = db
    .prepare<string[], FunnelRow>(`SELECT * FROM funnel_daily ${where.sql} ORDER BY day`)
    .all(...where.params)
    .map(funnelFromRow);
  const totals = emptyFunnelCounts();
  const keys = Object.keys(totals) as (keyof FunnelCounts)[];
  for (const row of rows) for (const key of keys) totals[key] += row[key];
  return {
    from: range.from ?? null,
    to: range.to ?? null,
    totals: withRates(totals),
    days: rows.map(withRates),
  };
}

export interface OrderSummary {
  orderId: string;
  status: ReportStatus;
  email: string;
  currency: string;
  total: number;
  units: number;
  createdAt: string;
  updatedAt: string;
  paidAt: string | null;
  amountPaid: number | null;
  sessionId: string | null;
  flags: { mismatch: boolean; late: boolean };
  /** A late payment's units no longer in stock, per sku: see `OrderView['shortfall']`. */
  shortfall: OrderView['shortfall'];
  /** Refunded of `amountPaid` so far (0 when nothing was). */
  refunded: number;
  /** Its payment's disputes: see `OrderView['disputes']`. */
  disputes: OrderView['disputes'];
  /** Lost to disputes of `amountPaid` (0 when nothing was). */
  lostToDisputes: number;
}

export interface OrdersReport {
  page: number;
  pageSize: number;
  /** Orders matching the filter, across all pages. */
  total: number;
  orders: OrderSummary[];
}

/** Orders by creation time, newest first; the date range applies to the day the cart was validated. */
export function ordersReport(
  db: Database.Database,
  input: z.input<typeof OrdersReportInput>,
): OrdersReport {
  const query = OrdersReportInput.parse(input);
  const days = dayFilter('created_day', query);
  const clauses = days.sql ? [days.sql.slice('WHERE '.length)] : [];
  const params: (string | number)[] = [...days.params];
  if (query.status === 'abandoned') clauses.push("status = 'expired' AND session_id IS NULL");
  else if (query.status === 'expired') {
    clauses.push("status = 'expired' AND session_id IS NOT NULL");
  } else if (query.status) {
    clauses.push('status = ?');
    params.push(query.status);
  }
  if (query.email) {
    clauses.push('instr(lower(email), ?) > 0');
    params.push(query.email.toLowerCase());
  }
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const total = db
    .prepare<(string | number)[], { n: number }>(`SELECT COUNT(*) AS n FROM orders ${where}`)
    .get(...params)!.n;
  const rows = db
    .prepare<(string | number)[], OrderRow>(
      `SELECT * FROM orders ${where} ORDER BY created_at DESC, order_id LIMIT ? OFFSET ?`,
    )
    .all(...params, query.pageSize, (query.page - 1) * query.pageSize);
  return {
    page: query.page,
    pageSize: query.pageSize,
    total,
    orders: rows.map((row) => ({
      orderId: row.order_id,
      status: reportStatus(row),
      email: row.email,
      currency: row.currency,
      total: row.total,
      units: row.units,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      paidAt: row.paid_at,
      amountPaid: row.amount_paid,
      sessionId: row.session_id,
      flags: { mismatch: row.mismatch === 1, late: row.late === 1 },
      shortfall: JSON.parse(row.shortfall) as OrderView['shortfall'],
      refunded: row.refunded,
      disputes: JSON.parse(row.disputes) as OrderView['disputes'],
      lostToDisputes: row.lost_to_disputes,
    })),
  };
}

export interface StockReport {
  products: ProductStock[];
}

export function stockReport(db: Database.Database): StockReport {
  const rows = db.prepare<[], InventoryRow>('SELECT * FROM inventory ORDER BY sku').all();
  return { products: rows.map(productFromRow) };
}

/** The order view as the runner last committed it, or null for an unknown order. */
export function getOrderView(db: Database.Database, orderId: string): OrderView | null {
  const row = db
    .prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_id = ?')
    .get(orderId);
  if (!row) return null;
  const lines = db
    .prepare<[string], OrderLineRow>(
      'SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no',
    )
    .all(orderId);
  return orderFromRows(row, lines);
}

function reportStatus(row: OrderRow): ReportStatus {
  return row.status === 'expired' && row.session_id === null
    ? 'abandoned'
    : (row.status as OrderStatus);
}
