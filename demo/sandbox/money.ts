/** Formats minor units for people; only the hosted page and messages need it. */
import { minorUnitDigits } from '../../widget/state/currency';

/** Divides by Stripe's minor unit (HUF has two decimals there), shown in Intl's own decimals. */
export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  return format.format(minorUnits / 10 ** minorUnitDigits(currency));
}
