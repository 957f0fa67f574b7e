/**
 * The top products chart says, beside each product's revenue, what went back of it in the
 * range (its share of refunds and disputes lost), in the words of the totals card; a chart
 * where nothing went back reads as it always did.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SalesReport } from '../../demo/admin/api';
import { renderProducts } from '../../demo/admin/charts/products';
import { type FakeNode, installFakeDom } from './support/fake-dom';

let removeDom: () => void;
beforeAll(() => {
  removeDom = installFakeDom();
});
afterAll(() => removeDom());

type Product = SalesReport['products'][number];
const product = (sku: string, revenue: number, back: Partial<Product> = {}): Product => ({
  sku,
  name: `Product ${sku}`,
  currency: 'eur',
  revenue,
  units: 2,
  orders: 1,
  refunded: 0,
  lostToDisputes: 0,
  ...back,
});

/** What the eye reads in each bar row, and what assistive technology reads in the table. */
function chart(...products: Product[]) {
  const sales: SalesReport = { from: null, to: null, totals: [], days: [], products };
  const [block] = renderProducts(sales, 'en-US') as unknown as FakeNode[];
  return {
    rows: block!.findAll('li').map((li) => li.findAll('span')[1]!.textContent),
    headers: block!
      .findAll('th')
      .filter((th) => th.attributes.scope === 'col')
      .map((th) => th.textContent),
    cells: block!
      .findAll('tr')
      .slice(1)
      .map((tr) => tr.findAll('td').map((td) => td.textContent)),
  };
}

it('reads as before when nothing went back', () => {
  expect(chart(product('A', 9000), product('B', 4500))).toEqual({
    rows: ['€90.00 · 2 sold', '€45.00 · 2 sold'],
    headers: ['Product', 'Revenue', 'Units', 'Orders'],
    cells: [
      ['€90.00', '2', '1'],
      ['€45.00', '2', '1'],
    ],
  });
});

it("says each product's share of the refunds and disputes lost, beside its revenue", () => {
  const shown = chart(
    product('A', 9000, { refunded: 2000, lostToDisputes: 1000 }),
    product('B', 4500),
    // Only a refund of a sale before the range, which failed in it.
    product('C', 0, { units: 0, orders: 0, refunded: -500 }),
  );
  expect(shown.rows).toEqual([
    '€90.00 · 2 sold · Refunded €20.00 · Lost to disputes €10.00',
    '€45.00 · 2 sold',
    '€0.00 · 0 sold · Failed refunds back €5.00',
  ]);
  expect(shown.headers).toEqual(['Product', 'Revenue', 'Units', 'Orders', 'Refunds and disputes']);
  expect(shown.cells.map((row) => row.at(-1))).toEqual([
    'Refunded €20.00 · Lost to disputes €10.00',
    '',
    'Failed refunds back €5.00',
  ]);
});
