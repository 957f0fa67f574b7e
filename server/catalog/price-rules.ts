/** What Stripe takes as a price, for the product decider and the inputs that reach it. */
import { minorUnitDigits } from '../../widget/state/currency';

/**
 * ISO 4217 also codes what no shop is paid in: the IMF's drawing right and other units of
 * account, precious metals, the testing and "no currency" codes, and funds codes. They never
 * become payment currencies, so this list cannot go stale (Stripe's own list can, and a
 * real currency Stripe does not take is refused by Stripe at checkout).
 */
const NOT_MONEY = new Set(
  'xdr xsu xua xba xbb xbc xbd xag xau xpd xpt xts xxx bov che chw clf cou mxv usn uyi uyw'.split(
    ' ',
  ),
);
const PAYMENT_CURRENCIES = new Set(
  Intl.supportedValuesOf('currency')
    .map((c) => c.toLowerCase())
    .filter((c) => !NOT_MONEY.has(c)),
);

/** A lower-case ISO 4217 code that payments are made in. */
export function isPaymentCurrency(code: string): boolean {
  return PAYMENT_CURRENCIES.has(code);
}

/**
 * Amounts Stripe refuses in a currency, or every checkout of the product fails: the
 * three-decimal currencies (bhd, jod, kwd, omr, tnd) in whole hundredths (their minor units
 * end in 0), and ISK, counted in hundredths, in whole krónur only (fractional ISK charges
 * are refused since 2023). Says why a price is not taken, or nothing when it is.
 */
export function amountStripeRefuses(product: {
  unitAmount: number;
  currency: string;
}): string | undefined {
  const { unitAmount, currency } = product;
  if (minorUnitDigits(currency) === 3 && unitAmount % 10 !== 0)
    return `a multiple of 10: Stripe takes ${currency} to two decimals`;
  if (currency === 'isk' && unitAmount % 100 !== 0)
    return 'a multiple of 100: Stripe takes isk in whole krónur (100 is 1 króna)';
  return undefined;
}
