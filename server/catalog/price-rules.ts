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
 * Stripe takes the three-decimal currencies (bhd, jod, kwd, omr, tnd) in whole hundredths:
 * an amount in their minor units must end in 0, or every checkout of the product fails.
 * Says why a price is not taken, or nothing when it is.
 */
export function amountStripeRefuses(product: {
  unitAmount: number;
  currency: string;
}): string | undefined {
  return minorUnitDigits(product.currency) === 3 && product.unitAmount % 10 !== 0
    ? `a multiple of 10: Stripe takes ${product.currency} to two decimals`
    : undefined;
}
