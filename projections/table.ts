/** Prints rows as an aligned text table or as CSV (RFC 4180 quoting). */
import { minorUnitDigits } from '../widget/state/currency';

export type Cell = string | number | boolean | null;

export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((row) => row[i]!.length)),
  );
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || row[i] === null),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

export function formatCsv(headers: string[], rows: Cell[][]): string {
  const quote = (cell: Cell) => {
    let text = cell === null ? '' : String(cell);
    // A spreadsheet runs a cell that starts like a formula (an email may start with + or -):
    // the quote mark makes it text (OWASP's advice for CSV injection). Numbers stay numbers.
    if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [headers, ...rows].map((row) => row.map(quote).join(',')).join('\n');
}

/**
 * Minor units as a human amount, e.g. 123450 eur -> "1,234.50 EUR": divided by Stripe's minor
 * unit (350000 huf is 3,500 forint), shown with the currency's own decimals (none for HUF).
 */
export function formatMoney(minorUnits: number, currency: string): string {
  const code = currency.toUpperCase();
  const stripeDigits = minorUnitDigits(currency);
  const shown = Math.min(
    new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits ?? 2,
    stripeDigits,
  );
  const amount = new Intl.NumberFormat('en', {
    minimumFractionDigits: shown,
    maximumFractionDigits: shown,
  });
  return `${amount.format(minorUnits / 10 ** stripeDigits)} ${code}`;
}
