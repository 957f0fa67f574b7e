/**
 * The revenue card when more came back than went in its range: a refund of an earlier day
 * that failed in it, or a dispute lost earlier and won back on appeal in it. The note says
 * so in words, and its net adds up from the parts it shows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FunnelReport, SalesReport } from '../../demo/admin/api';
import { renderTotals } from '../../demo/admin/totals';
import { type FakeNode, installFakeDom } from './support/fake-dom';

let removeDom: () => void;
beforeAll(() => {
  removeDom = installFakeDom();
});
afterAll(() => removeDom());

const funnel = {
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
} satisfies FunnelReport;

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
const note = (total: Total) => {
  const [group] = (
    renderTotals(
      { from: null, to: null, days: [], totals: [total], products: [] },
      funnel,
      'en-US',
    ) as unknown as FakeNode[]
  ).filter((node) => node.attributes['data-currency']);
  // The revenue's note, when there is one, is the second value.
  return group!.findAll('dd').map((dd) => dd.textContent)[1];
};

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
