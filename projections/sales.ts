/**
 * The sales read model: revenue, paid orders and units per UTC day (of the payment) and
 * currency, and per product; refunds per day they were made, and disputes lost per day they
 * closed. A sale is an order view in
 * status `paid`; each order event takes back what the order contributed before it and adds
 * what it contributes after, so a payment counts once however the order got there (pending,
 * late, after a mismatch). A refund leaves the sale's revenue as it was, and is counted on
 * its own day: revenue less refunds is what the shop kept. A dispute lost is counted so too.
 * Per product, refunds and losses are shared out over the order's skus by line amount.
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
  /** This sku's share of the refunds made this day (see `allocate`), of sales of any day. */
  refunded: number;
  /** Its share of the disputes lost this day, so too. */
  lost_to_disputes: number;
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

interface SaleLine {
  sku: string;
  name: string;
  amount: number;
  quantity: number;
}

interface Sale {
  day: string;
  currency: string;
  revenue: number;
  units: number;
  /** One per sku, in the order of its first line. */
  lines: SaleLine[];
  /** In the order they were recorded: the list only grows at its end. */
  refunds: Entry[];
  /**
   * Per dispute, what each closing changed in its loss. Apart, as each dispute's list only
   * grows at its end, while a dispute opened earlier may close later than another.
   */
  losses: Entry[][];
}

interface Entry {
  day: string;
  amount: number;
}

function saleOf(view: OrderView | null): Sale | null {
  if (view?.status !== 'paid' || view.paidAt === null) return null;
  const bySku = new Map<string, SaleLine>();
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
    losses: view.disputes.map((dispute) =>
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
  if (removed) book({ state, changes, sale: removed, sign: -1, names: false });
  // A sale booked again (a refund, a loss) keeps its rows' names: a later sale that day, of
  // a product renamed since, may have set them.
  if (added) book({ state, changes, sale: added, sign: 1, names: removed === null });
  return { daily: [...changes.daily.values()], products: [...changes.products.values()] };
}

/** One sale being added (sign 1) or taken back (sign -1) in the rows changed so far. */
interface Booking {
  state: SalesState;
  changes: { daily: Map<string, SalesDaily>; products: Map<string, ProductSales> };
  sale: Sale;
  sign: 1 | -1;
  /** Whether its lines name their products' rows of its day (a new sale's do). */
  names: boolean;
}

/** What booking one sale, refund or loss adds to a row. */
type Change = Omit<SalesDaily, 'day' | 'currency'>;
const none: Change = { revenue: 0, orders: 0, units: 0, refunded: 0, lost_to_disputes: 0 };

/** A row's figures with `change` added (sign 1) or taken back (sign -1). */
const moved = (row: Change, change: Change, sign: 1 | -1): Change => ({
  revenue: row.revenue + sign * change.revenue,
  orders: row.orders + sign * change.orders,
  units: row.units + sign * change.units,
  refunded: row.refunded + sign * change.refunded,
  lost_to_disputes: row.lost_to_disputes + sign * change.lost_to_disputes,
});

/** Adds (or, with sign -1, takes back) one sale in the rows changed so far. */
function book(to: Booking): void {
  const { sale } = to;
  bookDay(to, sale.day, { ...none, revenue: sale.revenue, orders: 1, units: sale.units });
  for (const refund of sale.refunds) bookDay(to, refund.day, { ...none, refunded: refund.amount });
  for (const loss of sale.losses.flat())
    bookDay(to, loss.day, { ...none, lost_to_disputes: loss.amount });
  for (const line of sale.lines) {
    const change = { ...none, revenue: line.amount, units: line.quantity, orders: 1 };
    bookProduct(to, sale.day, line, change);
  }
  // Most sales have nothing back: no shares to work out.
  if (sale.refunds.length > 0) bookShares(to, sale.refunds, 'refunded');
  for (const losses of sale.losses) bookShares(to, losses, 'lost_to_disputes');
}

function bookDay({ state, changes, sale, sign }: Booking, on: string, change: Change): void {
  const key = salesKey.daily({ day: on, currency: sale.currency });
  const day = changes.daily.get(key) ??
    state.daily(on, sale.currency) ?? { day: on, currency: sale.currency, ...none };
  changes.daily.set(key, { day: day.day, currency: day.currency, ...moved(day, change, sign) });
}

function bookProduct(
  { state, changes, sale, sign, names }: Booking,
  on: string,
  line: SaleLine,
  change: Change,
): void {
  const key = salesKey.product({ day: on, sku: line.sku, currency: sale.currency });
  const row = changes.products.get(key) ??
    state.product(on, line.sku, sale.currency) ?? {
      day: on,
      sku: line.sku,
      currency: sale.currency,
      name: line.name,
      ...none,
    };
  changes.products.set(key, {
    day: row.day,
    sku: row.sku,
    currency: row.currency,
    // Named by the sales of its day: a refund of an older sale keeps the name it has.
    name: names && change.orders > 0 ? line.name : row.name,
    ...moved(row, change, sign),
  });
}

/**
 * Shares each refund (or each loss) over the sale's skus as what allocating the running sum
 * gains by it: the shares then add up to the sum at every step, so what a failed refund or an
 * appeal takes back is exactly what was given.
 */
function bookShares(
  to: Booking,
  entries: readonly Entry[],
  column: 'refunded' | 'lost_to_disputes',
): void {
  const { lines } = to.sale;
  const amounts = lines.map((line) => line.amount);
  let sum = 0;
  let given = amounts.map(() => 0);
  for (const entry of entries) {
    sum += entry.amount;
    const now = allocate(sum, amounts);
    for (const [i, line] of lines.entries()) {
      const share = now[i]! - given[i]!;
      if (share !== 0) bookProduct(to, entry.day, line, { ...none, [column]: share });
    }
    given = now;
  }
}

/**
 * `amount` split over `weights` in proportion, in whole units, adding up to it exactly: each
 * part rounded down, then the units left over go to the largest remainders, ties to the first.
 * Any integer, negative or above the weights' sum: in BigInt, as amount x weight can pass 2^53.
 */
function allocate(amount: number, weights: readonly number[]): number[] {
  // Free lines only (all 0) are shared evenly.
  const by = weights.some((weight) => weight > 0) ? weights.map(BigInt) : weights.map(() => 1n);
  const whole = by.reduce((sum, weight) => sum + weight, 0n);
  const parts = by.map((weight, index) => {
    const exact = BigInt(amount) * weight;
    // BigInt division truncates toward zero: floored instead, so no remainder is negative.
    const remainder = ((exact % whole) + whole) % whole;
    return { index, share: Number((exact - remainder) / whole), remainder };
  });
  const left = amount - parts.reduce((sum, part) => sum + part.share, 0);
  const byRemainder = [...parts].sort(
    (a, b) => Number(b.remainder - a.remainder) || a.index - b.index,
  );
  for (const part of byRemainder.slice(0, left)) part.share += 1;
  return parts.map((part) => part.share);
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
