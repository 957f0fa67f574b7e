/** Top products by revenue, one ranking per currency. */
import type { SalesReport } from '../api';
import { chartFigure, emptyNote, figuresTable, h, s } from '../dom';
import { formatMoney } from '../money';
import { barIn, clip, planRowText, rowLayout } from './geometry';
import { topProducts } from './models';
import { rowText } from './row-text';

const LIMIT = 8;

export function renderProducts(sales: SalesReport, width: number, locale?: string): Node[] {
  const ranked = topProducts(sales.products, LIMIT);
  if (ranked.size === 0) return [emptyNote('Nothing sold in this range yet.')];
  return [...ranked].map(([currency, products]) => {
    const money = (amount: number) => formatMoney(amount, currency, locale);
    const max = products[0]?.revenue ?? 0;
    const texts = products.map((p): [string, string] => [
      p.name,
      `${money(p.revenue)} · ${p.units} sold`,
    ]);
    const plan = planRowText(texts, width);
    const layout = rowLayout(products.length, width, { twoLines: plan.twoLines });
    const svg = s(
      'svg',
      {
        class: 'chart-svg',
        viewBox: `0 0 ${width} ${layout.height}`,
        width,
        height: layout.height,
      },
      ...products.map((product, index) => {
        const row = layout.rows[index]!;
        return s(
          'g',
          {},
          s('title', {}, product.name),
          rowText(row.label, 'label', clip(product.name, plan.labelChars)),
          rowText(row.value, 'value', texts[index]![1]),
          s('rect', { class: 'track', ...row.track }),
          s('rect', { class: 'bar', ...barIn(row.track, product.revenue, max) }),
        );
      }),
    );
    const table = figuresTable(
      `Top products in ${currency.toUpperCase()}`,
      ['Product', 'Revenue', 'Units', 'Orders'],
      products.map((p) => [p.name, money(p.revenue), String(p.units), String(p.orders)]),
    );
    const figure = chartFigure(`By revenue in ${currency.toUpperCase()}`, svg, table);
    figure.dataset.currency = currency;
    return h('div', { class: 'chart-block' }, figure);
  });
}
