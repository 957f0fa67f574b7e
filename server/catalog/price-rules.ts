/** What Stripe takes as a price, for the product decider and the inputs that reach it. */
import { minorUnitDigits } from '../../widget/state/currency';

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
