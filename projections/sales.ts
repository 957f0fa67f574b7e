/**
 * The sales read model: revenue, paid orders and units per UTC day (of the payment) and
 * currency, and per product; refunds per day they were made, and disputes lost per day they
 * closed. A sale is an order view in
 * status `paid`; each order event takes back what the order contributed before it and adds
 * what it contributes after, so a payment counts once however the order got there (pending,
 * late, after a mismatch). A refund leaves the sale's revenue as it was, and is counted on
 * its own day: revenue less refunds is what the shop kept. A dispute lost is counted so too.
 */
import { utcDay } from './day';
import type { OrderView } from './order';

export interface SalesDaily {
  day: string;
  currency: string;
  /** Sum of the amounts paid, minor units of `currency`. */
  revenue: number;
  orders: number;
  units: number;
  /** Sum of the refunds made this day, of sales of any day. */
  refunded: number;
  /** Sum of the disputes lost this day (by when they closed), of sales of any day. */
  lost_to_disputes: number;
}

export interface ProductSales {
  day: string;
  sku: string;
  currency: string;
  name: string;
  /** Sum of the paid orders' line amounts for this sku, minor units of `currency`. */
  revenue: number;
  units: number;
  orders: number;
}

/** Row keys: parts joined by `|`, which no sku, currency or day contains. */
export const salesKey = {
  daily: (row: Pick<SalesDaily, 'day' | 'currency'>) => `${row.day}|${row.currency}`,
  product: (row: Pick<ProductSales, 'day' | 'sku' | 'currency'>) =>
    `${row.day}|${row.sku}|${row.currency}`,
};

export interface SalesState {
  daily(day: string, currency: string): SalesDaily | undefined;
  product(day: string, sku: string, currency: string): ProductSales | undefined;
}

export interface SalesChanges {
  daily: SalesDaily[];
  products: ProductSales[];
}

interface Sale {
  day: string;
  currency: string;
  revenue: number;
  units: number;
  lines: { sku: string; name: string; amount: number; quantity: number }[];
  refunds: { day: string; amount: number }[];
  losses: { day: string; amount: number }[];
}

function saleOf(view: OrderView | null): Sale | null {
  if (view?.status !== 'paid' || view.paidAt === null) return null;
  const bySku = new Map<string, { sku: string; name: string; amount: number; quantity: number }>();
  for (const line of view.lines) {
    const merged = bySku.get(line.sku) ?? {
      sku: line.sku,
      name: line.name,
      amount: 0,
      quantity: 0,
    };
    merged.amount += line.amount;
    merged.quantity += line.quantity;
    bySku.set(line.sku, merged);
  }
  const lines = [...bySku.values()];
  return {
    day: utcDay(view.paidAt),
    currency: view.currency,
    revenue: view.amountPaid ?? view.total,
    units: lines.reduce((sum, line) => sum + line.quantity, 0),
    lines,
    refunds: view.refunds.map((refund) => ({ day: utcDay(refund.at), amount: refund.amount })),
    losses: view.disputes.flatMap((dispute) =>
      dispute.losses.map((loss) => ({ day: utcDay(loss.at), amount: loss.amount })),
    ),
  };
}

const unchanged: SalesChanges = { daily: [], products: [] };

/** The sales rows an order's change (view before -> view after one event) alters. */
export function evolveSales(
  state: SalesState,
  before: OrderView | null,
  after: OrderView | null,
): SalesChanges {
  // Most events touch no paid order: nothing to take back or add.
  if (before?.status !== 'paid' && after?.status !== 'paid') return unchanged;
  const removed = saleOf(before);
  const added = saleOf(after);
  if (sameSale(removed, added)) return unchanged;
  const changes = {
    daily: new Map<string, SalesDaily>(),
    products: new Map<string, ProductSales>(),
  };
  if (removed) book(state, changes, removed, -1);
  if (added) book(state, changes, added, 1);
  return { daily: [...changes.daily.values()], products: [...changes.products.values()] };
}

/** Adds (or, with sign -1, takes back) one sale in the rows changed so far. */
function book(
  state: SalesState,
  changes: { daily: Map<string, SalesDaily>; products: Map<string, ProductSales> },
  sale: Sale,
  sign: 1 | -1,
): void {
  const bookDay = (on: string, change: Omit<SalesDaily, 'day' | 'currency'>) => {
    const key = salesKey.daily({ day: on, currency: sale.currency });
    const day = changes.daily.get(key) ??
      state.daily(on, sale.currency) ?? {
        day: on,
        currency: sale.currency,
        revenue: 0,
        orders: 0,
        units: 0,
        refunded: 0,
        lost_to_disputes: 0,
      };
    changes.daily.set(key, {
      day: day.day,
      currency: day.currency,
      revenue: day.revenue + sign * change.revenue,
      orders: day.orders + sign * change.orders,
      units: day.units + sign * change.units,
      refunded: day.refunded + sign * change.refunded,
      lost_to_disputes: day.lost_to_disputes + sign * change.lost_to_disputes,
    });
  };
  const none = { revenue: 0, orders: 0, units: 0, refunded: 0, lost_to_disputes: 0 };
  bookDay(sale.day, { ...none, revenue: sale.revenue, orders: 1, units: sale.units });
  for (const refund of sale.refunds) bookDay(refund.day, { ...none, refunded: refund.amount });
  for (const loss of sale.losses) bookDay(loss.day, { ...none, lost_to_disputes: loss.amount });
  for (const line of sale.lines) {
    const key = salesKey.product({ day: sale.day, sku: line.sku, currency: sale.currency });
    const row = changes.products.get(key) ??
      state.product(sale.day, line.sku, sale.currency) ?? {
        day: sale.day,
        sku: line.sku,
        currency: sale.currency,
        name: line.name,
        revenue: 0,
        units: 0,
        orders: 0,
      };
    changes.products.set(key, {
      day: row.day,
      sku: row.sku,
      currency: row.currency,
      name: sign > 0 ? line.name : row.name,
      revenue: row.revenue + sign * line.amount,
      units: row.units + sign * line.quantity,
      orders: row.orders + sign,
    });
  }
}

function sameSale(a: Sale | null, b: Sale | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.day === b.day &&
    a.currency === b.currency &&
    a.revenue === b.revenue &&
    JSON.stringify(a.lines) === JSON.stringify(b.lines) &&
    JSON.stringify(a.refunds) === JSON.stringify(b.refunds) &&
    JSON.stringify(a.losses) === JSON.stringify(b.losses)
  );
}
