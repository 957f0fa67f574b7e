/**
 * What a site owner may set on a product, in the catalog file or through the admin API,
 * checked so that a listed product can always be shown and sold through Stripe.
 */
import { z } from 'zod';
import { Currency, MinorUnits, Sku } from '../domain/events';
import { imageUrl } from './image-url';
import { amountStripeRefuses, isPaymentCurrency } from './price-rules';

export function amountStripeTakes(
  product: { unitAmount: number; currency: string },
  context: z.RefinementCtx,
): void {
  const refusal = amountStripeRefuses(product);
  if (refusal) context.addIssue({ code: 'custom', path: ['unitAmount'], message: refusal });
}

/** Each detail a site owner may set, checked on its own. */
const details = {
  // One line: it is shown in the cart, on Stripe's page and in the reports' tables.
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((name) => !/\p{Cc}/u.test(name), { message: 'one line, without control characters' }),
  description: z.string().max(2000),
  image: z
    .string()
    .max(2000)
    .refine((image) => image === '' || imageUrl(image, 'http://localhost') !== null, {
      message: 'an http(s) URL or a path on this shop',
    }),
  // 12.5 for €12.50 is the usual slip: say which unit the price is in.
  unitAmount: z
    .number()
    .int({ error: "a whole number of the currency's minor units, e.g. 1250 for €12.50" })
    .pipe(MinorUnits),
  currency: Currency.refine(isPaymentCurrency, {
    message: 'an ISO 4217 code of a currency payments are made in, e.g. eur',
  }),
};

/** A whole product, as the catalog file and listProduct give it: no description or image is ''. */
export const productInputFields = {
  sku: Sku,
  name: details.name,
  description: details.description.default(''),
  image: details.image.default(''),
  unitAmount: details.unitAmount,
  currency: details.currency,
};

/**
 * A change to a listed product: the details sent, at least one. The price and the currency are
 * checked together once merged with the product (in the product decider): either may be left out.
 */
export const ProductChangeInput = z
  .object(details)
  .partial()
  .extend({ sku: Sku })
  .strict()
  .refine(({ sku: _sku, ...changes }) => Object.values(changes).some((v) => v !== undefined), {
    message: 'at least one field to change: name, description, image, unitAmount or currency',
  });
