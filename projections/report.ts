/** Renders an analytics query as text tables (money formatted) or CSV (money in minor units). */
import type Database from 'better-sqlite3';
import { funnelReport, type OrderSummary, ordersReport, salesReport, stockReport } from './queries';
import { type Cell, formatCsv, formatMoney, formatTable } from './table';

export const reportNames = ['sales', 'funnel', 'orders', 'stock'] as const;
export type ReportName = (typeof reportNames)[number];

export interface ReportOptions {
  from?: string;
  to?: string;
  status?: string;
  email?: string;
  page?: number;
  pageSize?: number;
  csv: boolean;
}

interface Section {
  title: string;
  headers: string[];
  rows: Cell[][];
}

/** A money column: minor units in CSV, a formatted amount in tables. */
const money = (csv: boolean, amount: number | null, currency: string): Cell =>
  amount === null ? null : csv ? amount : formatMoney(amount, currency);

/**
 * The order's latest opened dispute, as the analytics page tags it (notices of two disputes
 * may be recorded out of order): `disputed` while open, else `dispute_<outcome>`.
 */
function disputeFlag(disputes: OrderSummary['disputes']): string {
  const latest = disputes.reduce<OrderSummary['disputes'][number] | undefined>(
    (last, d) => (last && last.at > d.at ? last : d),
    undefined,
  );
  if (!latest) return '';
  return latest.outcome ? `dispute_${latest.outcome}` : 'disputed';
}

function sections(db: Database.Database, name: ReportName, options: ReportOptions): Section[] {
  const { csv } = options;
  const range = { from: options.from, to: options.to };
  switch (name) {
    case 'sales': {
      const report = salesReport(db, range);
      const figures = [
        'orders',
        'units',
        'revenue',
        'average_order_value',
        'refunded',
        'lost_to_disputes',
      ];
      return [
        {
          title:
            'Sales per day (UTC day of payment; refunds, the day they were made; disputes, the day they closed)',
          headers: ['day', 'currency', ...figures],
          rows: report.days.map((d) => [
            d.day,
            d.currency,
            d.orders,
            d.units,
            money(csv, d.revenue, d.currency),
            money(csv, d.averageOrderValue, d.currency),
            money(csv, d.refunded, d.currency),
            money(csv, d.lostToDisputes, d.currency),
          ]),
        },
        {
          title: 'Totals per currency',
          headers: ['currency', ...figures],
          rows: report.totals.map((t) => [
            t.currency,
            t.orders,
            t.units,
            money(csv, t.revenue, t.currency),
            money(csv, t.averageOrderValue, t.currency),
            money(csv, t.refunded, t.currency),
            money(csv, t.lostToDisputes, t.currency),
          ]),
        },
        {
          title:
            'Products by revenue, per currency (refunds and disputes lost shared by line amount)',
          headers: [
            'sku',
            'name',
            'currency',
            'orders',
            'units',
            'revenue',
            'refunded',
            'lost_to_disputes',
          ],
          rows: report.products.map((p) => [
            p.sku,
            p.name,
            p.currency,
            p.orders,
            p.units,
            money(csv, p.revenue, p.currency),
            money(csv, p.refunded, p.currency),
            money(csv, p.lostToDisputes, p.currency),
          ]),
        },
      ];
    }
    case 'funnel': {
      const report = funnelReport(db, range);
      const counts = (f: typeof report.totals): Cell[] => [
        f.cartsValidated,
        f.checkoutsStarted,
        f.paid,
        f.open,
        f.expired,
        f.failed,
        f.checkoutFailed,
        f.abandoned,
        f.checkoutRate,
        f.paymentRate,
        f.conversionRate,
      ];
      const headers = [
        'carts',
        'checkouts',
        'paid',
        'open',
        'expired',
        'failed',
        'checkout_failed',
        'abandoned',
        'checkout_rate',
        'payment_rate',
        'conversion_rate',
      ];
      return [
        {
          title: 'Funnel per day (UTC day the cart was validated)',
          headers: ['day', ...headers],
          rows: report.days.map((d) => [d.day, ...counts(d)]),
        },
        { title: 'Totals', headers, rows: [counts(report.totals)] },
      ];
    }
    case 'orders': {
      const everyOrder = csv && options.page === undefined;
      const filter = {
        from: options.from,
        to: options.to,
        status: options.status as never,
        email: options.email,
        pageSize: options.pageSize ?? (everyOrder ? 500 : undefined),
      };
      // A CSV file without --page holds every order, read in one snapshot of the file.
      const report = db.transaction(() => {
        const first = ordersReport(db, { ...filter, page: options.page });
        if (!everyOrder) return first;
        const orders = [...first.orders];
        for (let page = 2; orders.length < first.total; page++) {
          const next = ordersReport(db, { ...filter, page }).orders;
          if (next.length === 0) break;
          orders.push(...next);
        }
        return { ...first, orders };
      })();
      return [
        {
          title: `Orders (page ${report.page} of ${Math.max(1, Math.ceil(report.total / report.pageSize))}, ${report.total} in all)`,
          headers: [
            'order_id',
            'created_at',
            'status',
            'email',
            'currency',
            'units',
            'total',
            'paid_at',
            'refunded',
            'lost_to_disputes',
            'flags',
          ],
          rows: report.orders.map((o) => [
            o.orderId,
            o.createdAt,
            o.status,
            o.email,
            o.currency,
            o.units,
            money(csv, o.total, o.currency),
            o.paidAt,
            money(csv, o.refunded, o.currency),
            money(csv, o.lostToDisputes, o.currency),
            [
              o.flags.mismatch ? 'mismatch' : '',
              o.flags.late ? 'late' : '',
              disputeFlag(o.disputes),
              o.shortfall.some((s) => s.missing > 0) ? 'shortfall' : '',
            ]
              .filter(Boolean)
              .join(' '),
          ]),
        },
      ];
    }
    case 'stock': {
      const report = stockReport(db);
      return [
        {
          title: 'Stock',
          headers: [
            'sku',
            'name',
            'listed',
            'on_hand',
            'reserved',
            'sold',
            'available',
            'currency',
            'unit_amount',
          ],
          rows: report.products.map((p) => [
            p.sku,
            p.name,
            p.listed,
            p.onHand,
            p.reserved,
            p.sold,
            p.available,
            p.currency,
            money(csv, p.unitAmount, p.currency),
          ]),
        },
      ];
    }
    default: {
      const _exhaustive: never = name;
      return _exhaustive;
    }
  }
}

/** CSV prints the report's first section only (one table per file); tables print them all. */
export function renderReport(
  db: Database.Database,
  name: ReportName,
  options: ReportOptions,
): string {
  const all = sections(db, name, options);
  if (options.csv) return formatCsv(all[0]!.headers, all[0]!.rows);
  return all.map((s) => `${s.title}\n${formatTable(s.headers, s.rows)}`).join('\n\n');
}
