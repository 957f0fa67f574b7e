/**
 * The analytics queries over rows written directly, for what the generated history of
 * analytics.test.ts does not pin down: a product renamed across a range, reversed and
 * missing ranges (in the queries and as tRPC answers them), and the orders report's plans.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { funnelReport, ordersReport, salesReport } from '../../projections/queries';
import { openReadModelDb } from '../../projections/schema';
import { AfterReply } from '../../server/after-reply';
import { analyticsRouter } from '../../server/http/routers/analytics';
import type { Services } from '../../server/services';

let dir: string;
let dbPath: string;
let db: Database.Database;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'analytics-queries-'));
  dbPath = path.join(dir, 'readmodels.sqlite');
  db = openReadModelDb(dbPath);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One paid order of one unit of `sku` on `day`, under the name its lines gave it then. */
function sold(day: string, sku: string, name: string) {
  db.prepare(
    `INSERT INTO sales_daily (day, currency, revenue, orders, units) VALUES (?, 'eur', 100, 1, 1)
     ON CONFLICT DO UPDATE SET revenue = revenue + 100, orders = orders + 1, units = units + 1`,
  ).run(day);
  db.prepare(
    `INSERT INTO sales_by_product (day, sku, currency, name, revenue, units, orders)
     VALUES (?, ?, 'eur', ?, 100, 1, 1)`,
  ).run(day, sku, name);
  db.prepare(
    `INSERT INTO funnel_daily VALUES (?, 1, 1, 1, 0, 0, 0, 0, 0)
     ON CONFLICT DO UPDATE SET carts_validated = carts_validated + 1`,
  ).run(day);
}

/** A product's share of what went back on `day`, of a sale of an earlier day. */
function wentBack(day: string, sku: string, name: string, refunded: number, lost: number) {
  db.prepare(
    `INSERT INTO sales_by_product
       (day, sku, currency, name, revenue, units, orders, refunded, lost_to_disputes)
     VALUES (?, ?, 'eur', ?, 0, 0, 0, ?, ?)`,
  ).run(day, sku, name, refunded, lost);
}

const reversed = { from: '2024-03-02', to: '2024-03-01' };

describe('salesReport', () => {
  it('names each product as on its latest day of sales within the range', () => {
    sold('2024-03-01', 'A', 'Old name');
    sold('2024-03-05', 'A', 'New name');
    expect(salesReport(db, { to: '2024-03-02' }).products).toEqual([
      {
        sku: 'A',
        name: 'Old name',
        currency: 'eur',
        revenue: 100,
        units: 1,
        orders: 1,
        refunded: 0,
        lostToDisputes: 0,
      },
    ]);
    expect(salesReport(db, { from: '2024-03-01' }).products[0]?.name).toBe('New name');
  });

  it('gives each product its share of the refunds and disputes lost in the range', () => {
    sold('2024-03-01', 'A', 'A');
    wentBack('2024-03-03', 'A', 'A', 60, 0);
    wentBack('2024-03-05', 'A', 'A', -60, 100);
    expect(salesReport(db, { to: '2024-03-03' }).products[0]).toMatchObject({
      revenue: 100,
      refunded: 60,
      lostToDisputes: 0,
    });
    // A range of the refund's day only: nothing sold, something back.
    expect(salesReport(db, { from: '2024-03-03' }).products).toEqual([
      {
        sku: 'A',
        name: 'A',
        currency: 'eur',
        revenue: 0,
        units: 0,
        orders: 0,
        refunded: 0,
        lostToDisputes: 100,
      },
    ]);
  });

  it('names a product by its latest day of sales, not by a later refund of an older sale', () => {
    sold('2024-03-01', 'A', 'Old name');
    sold('2024-03-05', 'A', 'New name');
    wentBack('2024-03-07', 'A', 'Old name', 100, 0);
    expect(salesReport(db, {}).products[0]?.name).toBe('New name');
    expect(salesReport(db, { from: '2024-03-06' }).products[0]?.name).toBe('Old name');
  });

  it('ranks products by revenue within each currency, never by minor units across them', () => {
    const soldIn = (sku: string, currency: string, revenue: number) =>
      db
        .prepare(
          `INSERT INTO sales_by_product (day, sku, currency, name, revenue, units, orders)
           VALUES ('2026-11-27', ?, ?, ?, ?, 1, 1)`,
        )
        .run(sku, currency, sku, revenue);
    soldIn('EUR-BIG', 'eur', 15_000); // €150.00
    soldIn('JPY-CARD', 'jpy', 20_000); // ¥20,000: more minor units, not more money
    soldIn('EUR-SMALL', 'eur', 1_000); // €10.00
    expect(salesReport(db, {}).products.map((p) => `${p.currency}:${p.sku}`)).toEqual([
      'eur:EUR-BIG',
      'eur:EUR-SMALL',
      'jpy:JPY-CARD',
    ]);
  });
});

describe('date ranges', () => {
  it('are refused when they end before they start, by every report', () => {
    expect(() => salesReport(db, reversed)).toThrow(
      'must not be after the last day asked for (to)',
    );
    expect(() => funnelReport(db, reversed)).toThrow(
      'must not be after the last day asked for (to)',
    );
    expect(() => ordersReport(db, reversed)).toThrow(
      'must not be after the last day asked for (to)',
    );
  });

  it('may be a single day', () => {
    sold('2024-03-01', 'A', 'A');
    const day = { from: '2024-03-01', to: '2024-03-01' };
    expect(salesReport(db, day).totals).toHaveLength(1);
    expect(funnelReport(db, day).days).toHaveLength(1);
  });
});

describe('analytics over tRPC', () => {
  const token = 'analytics-queries-token';
  const caller = () =>
    analyticsRouter.createCaller({
      services: {
        config: { adminToken: token },
        readModels: { db },
        afterReply: new AfterReply(),
      } as unknown as Services,
      log: pino({ level: 'silent' }),
      authorization: `Bearer ${token}`,
      client: '127.0.0.1',
    });

  it('answers a range that ends before it starts with 400 and why', async () => {
    const api = caller();
    for (const query of [api.sales, api.funnel, api.orders]) {
      const error = await query(reversed).catch((e: unknown) => e);
      expect(getHTTPStatusCodeFromError(error as never)).toBe(400);
      expect((error as Error).message).toContain('must not be after the last day asked for (to)');
    }
  });

  it('refuses a misspelt filter with 400 naming it, rather than answering everything', async () => {
    const api = caller();
    const misspelt = [
      () => api.orders({ stauts: 'paid' } as never),
      () => api.sales({ form: '2030-01-01' } as never),
      () => api.funnel({ form: '2030-01-01' } as never),
    ];
    for (const query of misspelt) {
      const error = await query().catch((e: unknown) => e);
      expect(getHTTPStatusCodeFromError(error as never)).toBe(400);
      expect((error as Error).message).toMatch(/Unrecognized key.*(stauts|form)/);
    }
  });

  it('reads no input as all time, for sales and the funnel', async () => {
    sold('2024-03-01', 'A', 'A');
    sold('2024-04-01', 'B', 'B');
    const api = caller();
    expect(await api.sales()).toEqual(salesReport(db, {}));
    expect((await api.sales()).days).toHaveLength(2);
    expect(await api.funnel()).toEqual(funnelReport(db, {}));
    expect((await api.funnel()).days).toHaveLength(2);
  });
});

/** The query plans of the statements `run` executes, which get their plans instead of rows. */
function plansOf(run: () => unknown): string[] {
  const plans: string[] = [];
  const prepare = db.prepare.bind(db);
  const spy = vi.spyOn(db, 'prepare').mockImplementation((sql: string) => {
    const explain = prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const plan = (...params: unknown[]) => {
      const steps = explain.all(...params) as { detail: string }[];
      plans.push(steps.map((step) => step.detail).join(' / '));
      return steps;
    };
    // No rows: the report maps what it reads, and a plan is not an order.
    const all = (...params: unknown[]) => {
      plan(...params);
      return [];
    };
    return { all, get: (...params: unknown[]) => plan(...params)[0] } as never;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return plans;
}

describe('ordersReport', () => {
  it('pages newest first from an index, in a file made before that index too, sorting nothing', () => {
    db.exec('DROP INDEX IF EXISTS orders_newest_first');
    db.close();
    db = openReadModelDb(dbPath);
    for (const input of [{}, { page: 40 }, { status: 'paid' as const }, { email: 'fan' }]) {
      const plans = plansOf(() => ordersReport(db, input));
      expect(plans, JSON.stringify(input)).toHaveLength(2);
      for (const plan of plans)
        expect(plan, JSON.stringify(input)).not.toMatch(/TEMP B-TREE|SCAN orders(?! USING)/);
    }
  });
});
