/**
 * Top products by revenue, one ranking per currency; beside each, its share of what went back
 * in the range (refunds, disputes lost), when any.
 */
import type { SalesReport } from '../api';
import { chartFigure, emptyNote, figuresTable, h } from '../dom';
import { formatMoney } from '../money';
import { wentBack } from '../went-back';
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
    const back = products.map((product) => wentBack(product, money));
    const bars = barRows(
      products.map((product, i) => ({
        label: product.name,
        figures: [
          { text: money(product.revenue) },
          { text: `${product.units} sold` },
          ...back[i]!.map((text) => ({ text })),
        ],
        marks: [{ className: 'bar', rect: barIn(TRACK, product.revenue, max) }],
      })),
    );
    // The column only when something went back: a table without reads as before.
    const anyBack = back.some((parts) => parts.length > 0);
    const table = figuresTable(
      `Top products in ${currency.toUpperCase()}`,
      ['Product', 'Revenue', 'Units', 'Orders', ...(anyBack ? ['Refunds and disputes'] : [])],
      products.map((p, i) => [
        p.name,
        money(p.revenue),
        String(p.units),
        String(p.orders),
        ...(anyBack ? [back[i]!.join(' · ')] : []),
      ]),
    );
    const figure = chartFigure(`By revenue in ${currency.toUpperCase()}`, bars, table);
    figure.dataset.currency = currency;
    return h('div', { class: 'chart-block' }, figure);
  });
}
