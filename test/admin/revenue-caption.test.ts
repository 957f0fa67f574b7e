/**
 * The revenue chart's caption names the range the analyst picked, also past 120 days, where
 * the axis keeps only the days with sales.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderRevenue } from '../../demo/admin/charts/revenue';
import { type FakeNode, installFakeDom } from './support/fake-dom';

let removeDom: () => void;
beforeAll(() => {
  removeDom = installFakeDom();
});
afterAll(() => removeDom());

const oneSale = {
  days: [
    {
      day: '2026-11-27',
      currency: 'eur',
      revenue: 4500,
      orders: 1,
      units: 1,
      averageOrderValue: 4500,
      refunded: 0,
      lostToDisputes: 0,
    },
  ],
  totals: [
    {
      currency: 'eur',
      revenue: 4500,
      orders: 1,
      units: 1,
      averageOrderValue: 4500,
      refunded: 0,
      lostToDisputes: 0,
    },
  ],
  products: [],
};

it.each([
  ['a long range', { from: '2020-01-01', to: '2026-11-27' }, '2020-01-01 to 2026-11-27'],
  ['a week', { from: '2026-11-21', to: '2026-11-27' }, '2026-11-21 to 2026-11-27'],
])('names %s as picked', (_name, range, named) => {
  const [block] = renderRevenue({
    sales: { ...oneSale, ...range },
    today: '2026-11-27',
    width: 600,
    locale: 'en-GB',
  }) as unknown as FakeNode[];
  expect(block!.find('figcaption')!.textContent).toBe(`EUR: €45.00 from 1 order, ${named}`);
});

it.each([
  ['the refund', { refunded: 2000, lostToDisputes: 0 }],
  ['a dispute lost', { refunded: 0, lostToDisputes: 2000 }],
])('draws no sale for a range holding only %s of an earlier one', (_name, back) => {
  const nothingSold = { currency: 'eur', revenue: 0, orders: 0, units: 0, averageOrderValue: 0 };
  const [note] = renderRevenue({
    sales: {
      from: '2026-11-28',
      to: '2026-11-28',
      days: [{ day: '2026-11-28', ...nothingSold, ...back }],
      totals: [{ ...nothingSold, ...back }],
      products: [],
    },
    today: '2026-11-28',
    width: 600,
    locale: 'en-GB',
  }) as unknown as FakeNode[];
  expect(note!.textContent).toBe('No paid orders in this range yet.');
});
