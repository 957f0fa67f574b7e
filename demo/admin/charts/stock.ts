/** Stock per product: sold, held for unpaid orders, and still available, end to end. */
import type { StockProduct } from '../api';
import { chartFigure, emptyNote, figuresTable } from '../dom';
import { type BarFigure, barRows, TRACK } from './bar-rows';
import { stackedIn } from './geometry';
import { legend } from './legend';
import { type StockRow, type StockState, stockRows } from './models';

const stateText: Record<StockState, string> = {
  ok: '',
  low: 'Low stock',
  'sold-out': 'Sold out',
  delisted: 'Delisted',
};

function figuresOf(row: StockRow): BarFigure[] {
  const counts = [
    { text: `${row.available} available` },
    { text: `${row.reserved} reserved` },
    { text: `${row.sold} sold` },
  ];
  const flag = stateText[row.state];
  return flag ? [{ text: flag, className: `flag flag-${row.state}` }, ...counts] : counts;
}

export function renderStock(products: readonly StockProduct[]): Node[] {
  const rows = stockRows(products);
  if (rows.length === 0) return [emptyNote('No products listed.')];
  const max = Math.max(1, ...rows.map((r) => r.sold + r.reserved + r.available));
  const bars = barRows(
    rows.map((row) => {
      const [sold, reserved, available] = stackedIn(
        TRACK,
        [row.sold, row.reserved, row.available],
        max,
      );
      return {
        // The SKU too, as the warehouse knows the product by it.
        label: `${row.name} (${row.sku})`,
        figures: figuresOf(row),
        marks: [
          { className: 'segment stock-sold', rect: sold! },
          { className: 'segment stock-reserved', rect: reserved! },
          { className: 'segment stock-available', rect: available! },
        ],
        data: { 'data-sku': row.sku },
      };
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
    chartFigure(
      `${rows.length} products${low ? `, ${low} low or sold out` : ''}`,
      bars,
      table,
      key,
    ),
  ];
}
