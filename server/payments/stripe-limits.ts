/**
 * Stripe's smallest charge per currency, in minor units
 * (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts), for the
 * currencies a shop is likely to use; others are not checked. Pricing refuses a smaller
 * cart up front, and the local sandbox refuses it as Stripe would.
 */
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

export function minimumCharge(currency: string): number {
  return MINIMUM_CHARGE[currency] ?? 0;
}
