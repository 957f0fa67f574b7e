import { describe, expect, it } from 'vitest';
import type { FunnelReport, SalesReport, StockProduct } from '../../demo/admin/api';
import {
  funnelOutcomes,
  funnelSteps,
  revenueSeries,
  stockRows,
  topProducts,
} from '../../demo/admin/charts/models';
import { addDays, dayAxis } from '../../demo/admin/days';
import { pageInfo } from '../../demo/admin/orders';
import { problemOf } from '../../demo/admin/problems';

const day = (d: string, currency: string, revenue: number, orders = 1) => ({
  day: d,
  currency,
  revenue,
  orders,
  units: orders,
  averageOrderValue: Math.round(revenue / orders),
  refunded: 0,
  lostToDisputes: 0,
});

describe('the day axis', () => {
  it('fills every day of the range, so quiet days show as zero', () => {
    expect(
      dayAxis({
        dataDays: ['2024-03-02'],
        from: '2024-03-01',
        to: '2024-03-04',
        today: '2024-06-01',
      }),
    ).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04']);
  });

  it('with an open range, runs from the first day with figures to today, a week at least', () => {
    expect(dayAxis({ dataDays: ['2024-03-10'], today: '2024-03-12' })).toEqual([
      '2024-03-06',
      '2024-03-07',
      '2024-03-08',
      '2024-03-09',
      '2024-03-10',
      '2024-03-11',
      '2024-03-12',
    ]);
    expect(dayAxis({ dataDays: ['2024-01-01', '2024-01-20'], today: '2024-01-20' })).toHaveLength(
      20,
    );
  });

  it('shows only days with figures once the range is too long to draw every day', () => {
    expect(
      dayAxis({
        dataDays: ['2023-02-01', '2024-01-01'],
        from: '2023-01-01',
        to: '2024-12-31',
        today: '2025-01-01',
      }),
    ).toEqual(['2023-02-01', '2024-01-01']);
  });

  it('is empty when the range is upside down', () => {
    expect(
      dayAxis({ dataDays: [], from: '2024-03-05', to: '2024-03-01', today: '2024-03-05' }),
    ).toEqual([]);
  });

  it('adds days across month and year ends in UTC', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});

describe('chart models', () => {
  it('gives each currency its own revenue series over the same days', () => {
    const days: SalesReport['days'] = [
      day('2024-03-01', 'eur', 9000),
      day('2024-03-01', 'usd', 500),
      day('2024-03-03', 'eur', 18900),
    ];
    const series = revenueSeries(days, ['2024-03-01', '2024-03-02', '2024-03-03']);
    expect([...series.keys()]).toEqual(['eur', 'usd']);
    expect(series.get('eur')!.map((d) => d.revenue)).toEqual([9000, 0, 18900]);
    expect(series.get('usd')!.map((d) => d.revenue)).toEqual([500, 0, 0]);
  });

  it('keeps revenue as paid on a day with refunds, and a refund-only day at zero revenue', () => {
    const days: SalesReport['days'] = [
      { ...day('2024-03-01', 'eur', 9900, 2), refunded: 2000 },
      // A refund of the 1st's sale, made on the 2nd: nothing sold that day.
      { ...day('2024-03-02', 'eur', 0, 0), averageOrderValue: 0, refunded: 2500 },
    ];
    const series = revenueSeries(days, ['2024-03-01', '2024-03-02']);
    expect(series.get('eur')!.map((d) => [d.revenue, d.orders])).toEqual([
      [9900, 2],
      [0, 0],
    ]);
  });

  it('keeps revenue as paid on a day with a dispute lost, and a loss-only day at zero revenue', () => {
    const days: SalesReport['days'] = [
      { ...day('2024-03-01', 'eur', 9900, 2), lostToDisputes: 4500 },
      // A dispute of the 1st's sale, lost on the 3rd: nothing sold that day.
      { ...day('2024-03-03', 'eur', 0, 0), averageOrderValue: 0, lostToDisputes: 5400 },
    ];
    const series = revenueSeries(days, ['2024-03-01', '2024-03-02', '2024-03-03']);
    expect(series.get('eur')!.map((d) => [d.revenue, d.orders])).toEqual([
      [9900, 2],
      [0, 0],
      [0, 0],
    ]);
  });

  it('ranks top products within each currency, never against another', () => {
    const product = (sku: string, currency: string, revenue: number) => ({
      sku,
      name: sku,
      currency,
      revenue,
      units: 1,
      orders: 1,
      refunded: 0,
      lostToDisputes: 0,
    });
    const top = topProducts(
      [
        product('A', 'jpy', 100_000),
        product('B', 'eur', 4500),
        product('C', 'eur', 18900),
        product('D', 'eur', 100),
      ],
      2,
    );
    expect(top.get('eur')!.map((p) => p.sku)).toEqual(['C', 'B']);
    expect(top.get('jpy')!.map((p) => p.sku)).toEqual(['A']);
  });

  const totals: FunnelReport['totals'] = {
    cartsValidated: 10,
    checkoutsStarted: 8,
    paid: 4,
    expired: 1,
    failed: 1,
    checkoutFailed: 1,
    abandoned: 1,
    open: 2,
    checkoutRate: 0.8,
    paymentRate: 0.5,
    conversionRate: 0.4,
  };

  it('walks the funnel from carts to payments with the rate of each step', () => {
    expect(funnelSteps(totals).map((s) => [s.count, s.rate])).toEqual([
      [10, null],
      [8, 0.8],
      [4, 0.5],
    ]);
  });

  it('accounts for every validated cart in the outcomes', () => {
    const outcomes = funnelOutcomes(totals);
    expect(outcomes.reduce((sum, o) => sum + o.count, 0)).toBe(totals.cartsValidated);
  });

  it('flags low, sold-out and delisted stock, and never shows negative stock', () => {
    const product = (sku: string, available: number, listed = true): StockProduct => ({
      sku,
      name: '',
      currency: 'eur',
      unitAmount: 100,
      listed,
      onHand: 5,
      reserved: 0,
      sold: 5 - available,
      available,
    });
    const rows = stockRows([
      product('A', 5),
      product('B', 2),
      product('C', 0),
      product('D', -1),
      product('E', 3, false),
    ]);
    expect(rows.map((r) => r.state)).toEqual(['ok', 'low', 'sold-out', 'sold-out', 'delisted']);
    expect(rows[3]!.available).toBe(0);
    expect(rows[0]!.name).toBe('A');
  });

  it('describes the order pages', () => {
    expect(pageInfo({ page: 1, pageSize: 10, total: 0, orders: [] })).toEqual({
      text: 'Page 1 of 1 · 0 orders',
      hasPrevious: false,
      hasNext: false,
    });
    expect(pageInfo({ page: 2, pageSize: 10, total: 21, orders: [] })).toMatchObject({
      text: 'Page 2 of 3 · 21 orders',
      hasPrevious: true,
      hasNext: true,
    });
  });
});

describe('refusals', () => {
  it('names a wrong token and a server without ADMIN_TOKEN differently', () => {
    expect(problemOf({ message: 'x', data: { code: 'UNAUTHORIZED' } })).toMatchObject({
      kind: 'unauthorized',
      message: expect.stringContaining('UNAUTHORIZED'),
    });
    expect(problemOf({ data: { code: 'FORBIDDEN' } }).message).toMatch(
      /^Analytics are off: set ADMIN_TOKEN/,
    );
    expect(problemOf(new TypeError('Failed to fetch')).kind).toBe('unreachable');
  });
});
