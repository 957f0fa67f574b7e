/**
 * Money at the edge: amounts arrive as integers in the currency's minor unit, beside a
 * lower-case ISO code, and are only turned into text here.
 */
import { minorUnitDigits } from '../../widget/state/currency';

function toMajorUnits(amount: number, currency: string): number {
  return amount / 10 ** minorUnitDigits(currency);
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string | undefined, compact: boolean) {
  const key = `${locale ?? ''}|${currency}|${compact}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currency.toUpperCase(),
      ...(compact && { notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 }),
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** `formatMoney(4500, 'eur', 'en-US')` is "€45.00". */
export function formatMoney(amount: number, currency: string, locale?: string): string {
  return formatterFor(currency, locale, false).format(toMajorUnits(amount, currency));
}

/** Short form for axis labels: "€1.2K". */
export function formatMoneyCompact(amount: number, currency: string, locale?: string): string {
  return formatterFor(currency, locale, true).format(toMajorUnits(amount, currency));
}

export function formatPercent(ratio: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(
    ratio,
  );
}

/** Groups rows by currency, never mixing them: sums across currencies mean nothing. */
export function byCurrency<T extends { currency: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.currency);
    if (group) group.push(row);
    else groups.set(row.currency, [row]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}
