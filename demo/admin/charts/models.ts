/** What each chart shows, computed from the API's reports: pure, and never across currencies. */
import type { FunnelReport, SalesReport, StockProduct } from '../api';
import { byCurrency } from '../money';

export interface DayFigures {
  day: string;
  revenue: number;
  orders: number;
  units: number;
}

/** Per currency, the figures of every day on the axis, zeros where nothing sold. */
export function revenueSeries(
  days: SalesReport['days'],
  axis: readonly string[],
): Map<string, DayFigures[]> {
  const series = new Map<string, DayFigures[]>();
  for (const [currency, rows] of byCurrency(days)) {
    const byDay = new Map(rows.map((row) => [row.day, row]));
    series.set(
      currency,
      axis.map((day) => {
        const row = byDay.get(day);
        return {
          day,
          revenue: row?.revenue ?? 0,
          orders: row?.orders ?? 0,
          units: row?.units ?? 0,
        };
      }),
    );
  }
  return series;
}

type ProductSales = SalesReport['products'][number];

/** The best sellers by revenue within each currency. */
export function topProducts(products: readonly ProductSales[], limit: number) {
  const top = new Map<string, ProductSales[]>();
  for (const [currency, rows] of byCurrency(products)) {
    const ranked = [...rows].sort((a, b) => b.revenue - a.revenue || a.sku.localeCompare(b.sku));
    top.set(currency, ranked.slice(0, limit));
  }
  return top;
}

export interface FunnelStep {
  label: string;
  count: number;
  /** Share of the step before (null for the first step). */
  rate: number | null;
}

export function funnelSteps(totals: FunnelReport['totals']): FunnelStep[] {
  return [
    { label: 'Carts validated', count: totals.cartsValidated, rate: null },
    { label: 'Checkouts started', count: totals.checkoutsStarted, rate: totals.checkoutRate },
    { label: 'Paid', count: totals.paid, rate: totals.paymentRate },
  ];
}

export interface Outcome {
  key: 'paid' | 'open' | 'expired' | 'failed' | 'checkoutFailed' | 'abandoned';
  label: string;
  count: number;
}

/** Where every validated cart stands now; the counts add up to the carts validated. */
export function funnelOutcomes(totals: FunnelReport['totals']): Outcome[] {
  return [
    { key: 'paid', label: 'Paid', count: totals.paid },
    { key: 'open', label: 'Awaiting payment', count: totals.open },
    { key: 'expired', label: 'Expired', count: totals.expired },
    { key: 'failed', label: 'Payment failed', count: totals.failed },
    { key: 'checkoutFailed', label: 'Checkout failed', count: totals.checkoutFailed },
    { key: 'abandoned', label: 'Never reached checkout', count: totals.abandoned },
  ];
}

export type StockState = 'delisted' | 'sold-out' | 'low' | 'ok';

export interface StockRow {
  sku: string;
  name: string;
  sold: number;
  reserved: number;
  available: number;
  onHand: number;
  state: StockState;
}

const LOW_STOCK = 2;

/** Stock per product; a correction below what is held shows as none left, not negative. */
export function stockRows(products: readonly StockProduct[]): StockRow[] {
  return products.map((product) => {
    const available = Math.max(0, product.available);
    const state: StockState = !product.listed
      ? 'delisted'
      : available === 0
        ? 'sold-out'
        : available <= LOW_STOCK
          ? 'low'
          : 'ok';
    return {
      sku: product.sku,
      name: product.name || product.sku,
      sold: product.sold,
      reserved: product.reserved,
      available,
      onHand: product.onHand,
      state,
    };
  });
}
