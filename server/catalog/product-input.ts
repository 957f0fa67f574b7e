/**
 * What a site owner may set on a product, in the catalog file or through the admin API,
 * checked so that a listed product can always be shown and sold through Stripe.
 */
import { z } from 'zod';
import { minorUnitDigits } from '../../widget/state/currency';
import { Currency, MinorUnits, Sku } from '../domain/events';
import { imageUrl } from './image-url';

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

/**
 * Stripe takes the three-decimal currencies (bhd, jod, kwd, omr, tnd) in whole hundredths:
 * an amount in their minor units must end in 0, or every checkout of the product fails.
 */
export function amountStripeTakes(
  product: { unitAmount: number; currency: string },
  context: z.RefinementCtx,
): void {
  if (minorUnitDigits(product.currency) === 3 && product.unitAmount % 10 !== 0) {
    context.addIssue({
      code: 'custom',
      path: ['unitAmount'],
      message: `a multiple of 10: Stripe takes ${product.currency} to two decimals`,
    });
  }
}

export const productInputFields = {
  sku: Sku,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  image: z
    .string()
    .max(2000)
    .default('')
    .refine((image) => image === '' || imageUrl(image, 'http://localhost') !== null, {
      message: 'an http(s) URL or a path on this shop',
    }),
  unitAmount: MinorUnits,
  currency: Currency.refine((currency) => ISO_CURRENCIES.has(currency), {
    message: 'an ISO 4217 currency code, e.g. eur',
  }),
};
