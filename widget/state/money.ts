/** Money arrives in minor units next to its currency; only here does it become text. */
import { minorUnitDigits } from './currency';

const formats = new Map<string, Intl.NumberFormat>();

/** Intl's own decimals for the currency (none for HUF), never more than Stripe's minor unit has. */
function formatFor(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    const digits = minorUnitDigits(currency);
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    if (format.resolvedOptions().maximumFractionDigits! > digits) {
      format = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        maximumFractionDigits: digits,
      });
    }
    formats.set(key, format);
  }
  return format;
}

/** 18900 eur -> "€189.00"; 500 jpy -> "¥500"; 350000 huf -> "HUF 3,500": Stripe's minor units. */
export function formatMoney(amount: number, currency: string, locale: string): string {
  return formatFor(locale, currency).format(amount / 10 ** minorUnitDigits(currency));
}
