/** Top products by revenue, one ranking per currency. */
import type { SalesReport } from '../api';
import { chartFigure, emptyNote, figuresTable, h } from '../dom';
import { formatMoney } from '../money';
import { barRows, TRACK } from './bar-rows';
import { barIn } from './geometry';
import { topProducts } from './models';

const LIMIT = 8;

export function renderProducts(sales: SalesReport, locale?: string): Node[] {
  const ranked = topProducts(sales.products, LIMIT);
  if (ranked.size === 0) return [emptyNote('Nothing sold in this range yet.')];
  return [...ranked].map(([currency, products]) => {
    const money = (amount: number) => formatMoney(amount, currency, locale);
    const max = products[0]?.revenue ?? 0;
    const bars = barRows(
      products.map((product) => ({
        label: product.name,
        figures: [{ text: money(product.revenue) }, { text: `${product.units} sold` }],
        marks: [{ className: 'bar', rect: barIn(TRACK, product.revenue, max) }],
      })),
    );
    const table = figuresTable(
      `Top products in ${currency.toUpperCase()}`,
      ['Product', 'Revenue', 'Units', 'Orders'],
      products.map((p) => [p.name, money(p.revenue), String(p.units), String(p.orders)]),
    );
    const figure = chartFigure(`By revenue in ${currency.toUpperCase()}`, bars, table);
    figure.dataset.currency = currency;
    return h('div', { class: 'chart-block' }, figure);
  });
}
