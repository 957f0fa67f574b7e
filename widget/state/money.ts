/** Money arrives in minor units next to its currency; only here does it become text. */

const formats = new Map<string, Intl.NumberFormat>();

function formatFor(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() });
    formats.set(key, format);
  }
  return format;
}

/** 18900 eur -> "€189.00"; 500 jpy -> "¥500": the currency's own minor units decide. */
export function formatMoney(amount: number, currency: string, locale: string): string {
  const format = formatFor(locale, currency);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}
