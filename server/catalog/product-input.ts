/**
 * What a site owner may set on a product, in the catalog file or through the admin API,
 * checked so that a listed product can always be shown and sold through Stripe.
 */
import { z } from 'zod';
import { Currency, MinorUnits, Sku } from '../domain/events';
import { imageUrl } from './image-url';

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

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
