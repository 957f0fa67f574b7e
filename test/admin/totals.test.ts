/**
 * The totals card keeps revenue as paid and, once money went back in the range (refunded, or
 * lost to disputes), says under it how much and what the shop kept; a card without either
 * reads as it always did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelReport, SalesReport } from '../../demo/admin/api';
import { renderTotals } from '../../demo/admin/totals';
import { type FakeNode, installFakeDom } from './support/fake-dom';

let removeDom: () => void;
beforeAll(() => {
  removeDom = installFakeDom();
});
afterAll(() => removeDom());

const funnel: FunnelReport = {
  from: null,
  to: null,
  days: [],
  totals: {
    cartsValidated: 2,
    checkoutsStarted: 2,
    paid: 2,
    expired: 0,
    failed: 0,
    checkoutFailed: 0,
    abandoned: 0,
    open: 0,
    checkoutRate: 1,
    paymentRate: 1,
    conversionRate: 1,
  },
};

type Total = SalesReport['totals'][number];
const eur: Total = {
  currency: 'eur',
  revenue: 9900,
  orders: 2,
  units: 2,
  averageOrderValue: 4950,
  refunded: 0,
  lostToDisputes: 0,
};
const sales = (...totals: Total[]): SalesReport => ({
  from: null,
  to: null,
  days: [],
  totals,
  products: [],
});

/** Each currency's group: its labels and values, in the order a screen reader reads them. */
const groups = (report: SalesReport) =>
  (renderTotals(report, funnel, 'en-US') as unknown as FakeNode[])
    .filter((node) => node.attributes['data-currency'])
    .map((group) => ({
      currency: group.attributes['data-currency'],
      labels: group.findAll('dt').map((dt) => dt.textContent),
      values: group.findAll('dd').map((dd) => dd.textContent),
    }));

it('shows revenue alone when nothing was refunded or lost to disputes', () => {
  expect(groups(sales(eur))).toEqual([
    {
      currency: 'eur',
      labels: ['Revenue (EUR)', 'Paid orders', 'Average order', 'Units sold'],
      values: ['€99.00', '2', '€49.50', '2'],
    },
  ]);
});

it('shows the refunds of the range and what the shop kept under the revenue', () => {
  const [group] = groups(sales({ ...eur, refunded: 2000 }));
  expect(group!.labels).toEqual(['Revenue (EUR)', 'Paid orders', 'Average order', 'Units sold']);
  expect(group!.values).toEqual(['€99.00', 'Refunded €20.00 · Net €79.00', '2', '€49.50', '2']);
});

it('keeps each currency to its own refunds', () => {
  const usd: Total = { ...eur, currency: 'usd', revenue: 5000, orders: 1, averageOrderValue: 5000 };
  expect(groups(sales({ ...eur, refunded: 9900 }, usd)).map((g) => g.values.slice(0, 2))).toEqual([
    ['€99.00', 'Refunded €99.00 · Net €0.00'],
    ['$50.00', '1'],
  ]);
});

it('shows a refund of an earlier sale on its own day, the net below zero', () => {
  // A range holding the day of the refund only: the sale was paid before it.
  const refundOnly: Total = { ...eur, revenue: 0, orders: 0, units: 0, averageOrderValue: 0 };
  const [group] = groups(sales({ ...refundOnly, refunded: 2000 }));
  expect(group!.values.slice(0, 2)).toEqual(['€0.00', 'Refunded €20.00 · Net -€20.00']);
});

describe('disputes lost', () => {
  it('shows what disputes took and what the shop kept under the revenue', () => {
    const [group] = groups(sales({ ...eur, lostToDisputes: 1000 }));
    expect(group!.values).toEqual([
      '€99.00',
      'Lost to disputes €10.00 · Net €89.00',
      '2',
      '€49.50',
      '2',
    ]);
  });

  it('shows refunds and disputes lost together, the net less both', () => {
    const [group] = groups(sales({ ...eur, refunded: 2000, lostToDisputes: 1000 }));
    expect(group!.values.slice(0, 2)).toEqual([
      '€99.00',
      'Refunded €20.00 · Lost to disputes €10.00 · Net €69.00',
    ]);
  });

  it('keeps each currency to its own losses', () => {
    const usd: Total = {
      ...eur,
      currency: 'usd',
      revenue: 5000,
      orders: 1,
      averageOrderValue: 5000,
    };
    const values = groups(sales(eur, { ...usd, lostToDisputes: 5000 })).map((g) =>
      g.values.slice(0, 2),
    );
    expect(values).toEqual([
      ['€99.00', '2'],
      ['$50.00', 'Lost to disputes $50.00 · Net $0.00'],
    ]);
  });

  it('shows a dispute of an earlier sale lost on its own day, the net below zero', () => {
    const lossOnly: Total = { ...eur, revenue: 0, orders: 0, units: 0, averageOrderValue: 0 };
    const [group] = groups(sales({ ...lossOnly, lostToDisputes: 4500 }));
    expect(group!.values.slice(0, 2)).toEqual(['€0.00', 'Lost to disputes €45.00 · Net -€45.00']);
  });
});

// More coming back than going in a range: a refund of an earlier day that failed in it, or a
// dispute lost earlier and won back on appeal in it. Said in words, the net adding up.
describe('money coming back', () => {
  const note = (total: Total) => groups(sales(total))[0]!.values[1];

  it('says what came back when a refund of an earlier day failed in the range', () => {
    expect(note({ ...eur, refunded: -2000 })).toBe('Failed refunds back €20.00 · Net €119.00');
  });

  it('gives a net made of the parts it shows', () => {
    expect(note({ ...eur, refunded: -2000, lostToDisputes: 1000 })).toBe(
      'Failed refunds back €20.00 · Lost to disputes €10.00 · Net €109.00',
    );
  });

  it('says what an appeal won back of a loss before the range', () => {
    expect(note({ ...eur, lostToDisputes: -1000 })).toBe(
      'Won back from disputes €10.00 · Net €109.00',
    );
  });
});
