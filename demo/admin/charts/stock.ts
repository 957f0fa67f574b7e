/** Stock per product: sold, held for unpaid orders, and still available, end to end. */
import type { StockProduct } from '../api';
import { chartFigure, emptyNote, figuresTable, s } from '../dom';
import { clip, planRowText, rowLayout, stackedIn } from './geometry';
import { legend } from './legend';
import { type StockRow, type StockState, stockRows } from './models';
import { rowText } from './row-text';

const stateText: Record<StockState, string> = {
  ok: '',
  low: 'Low stock',
  'sold-out': 'Sold out',
  delisted: 'Delisted',
};

const figuresOf = (row: StockRow) =>
  `${row.available} available · ${row.reserved} reserved · ${row.sold} sold`;

export function renderStock(products: readonly StockProduct[], width: number): Node[] {
  const rows = stockRows(products);
  if (rows.length === 0) return [emptyNote('No products listed.')];
  const max = Math.max(1, ...rows.map((r) => r.sold + r.reserved + r.available));
  const flagOf = (row: StockRow) => (stateText[row.state] ? `${stateText[row.state]} · ` : '');
  const plan = planRowText(
    rows.map((row) => [row.name, `${flagOf(row)}${figuresOf(row)}`]),
    width,
  );
  const layout = rowLayout(rows.length, width, { twoLines: plan.twoLines });
  const svg = s(
    'svg',
    { class: 'chart-svg', viewBox: `0 0 ${width} ${layout.height}`, width, height: layout.height },
    ...rows.map((row, index) => {
      const geometry = layout.rows[index]!;
      const segments = stackedIn(geometry.track, [row.sold, row.reserved, row.available], max);
      return s(
        'g',
        { 'data-sku': row.sku },
        s('title', {}, `${row.name} (${row.sku})`),
        rowText(geometry.label, 'label', clip(row.name, plan.labelChars)),
        rowText(
          geometry.value,
          'value',
          flagOf(row) ? s('tspan', { class: `flag flag-${row.state}` }, flagOf(row)) : null,
          figuresOf(row),
        ),
        s('rect', { class: 'track', ...geometry.track }),
        s('rect', { class: 'segment stock-sold', ...segments[0]! }),
        s('rect', { class: 'segment stock-reserved', ...segments[1]! }),
        s('rect', { class: 'segment stock-available', ...segments[2]! }),
      );
    }),
  );
  const table = figuresTable(
    'Stock levels',
    ['Product', 'Available', 'Reserved', 'Sold', 'On hand', 'Note'],
    rows.map((r) => [
      `${r.name} (${r.sku})`,
      String(r.available),
      String(r.reserved),
      String(r.sold),
      String(r.onHand),
      stateText[r.state],
    ]),
  );
  const key = legend([
    { className: 'stock-sold', label: 'Sold' },
    { className: 'stock-reserved', label: 'Reserved for unpaid orders' },
    { className: 'stock-available', label: 'Available' },
  ]);
  key.setAttribute('aria-hidden', 'true');
  const low = rows.filter((r) => r.state === 'low' || r.state === 'sold-out').length;
  return [
    chartFigure(`${rows.length} products${low ? `, ${low} low or sold out` : ''}`, svg, table, key),
  ];
}
