/** Formats minor units for people; only the hosted page and messages need it. */
export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}

// Stripe's minimum charge amounts (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts)
// for the currencies a shop is likely to use; other currencies are not checked.
const MINIMUM_CHARGE: Readonly<Record<string, number>> = {
  usd: 50,
  eur: 50,
  gbp: 30,
  chf: 50,
  cad: 50,
  aud: 50,
  nzd: 50,
  jpy: 50,
  sek: 300,
  nok: 300,
  dkk: 250,
  pln: 200,
  czk: 1500,
  huf: 17_500,
  ron: 200,
};

/** Amounts have at most eight digits, in every currency (the same page). */
export const MAXIMUM_CHARGE = 99_999_999;

export function minimumChargeAmount(currency: string): number {
  return MINIMUM_CHARGE[currency] ?? 0;
}
