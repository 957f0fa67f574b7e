/** The catalog as shoppers see it: listed products with what is left to buy. */

import { imageUrl } from './image-url';
import { available } from './product';
import type { Products } from './products';

export interface CatalogProduct {
  sku: string;
  name: string;
  description: string;
  /** Absolute, so a widget on another origin can load it. */
  image: string;
  unitAmount: number;
  currency: string;
  available: number;
}

export async function listCatalog(
  products: Products,
  publicUrl: string,
): Promise<CatalogProduct[]> {
  const states = await products.states(products.skus());
  const listing: CatalogProduct[] = [];
  for (const state of states.values()) {
    if (!state.details || !state.listed) continue;
    const { sku, name, description, image, unitAmount, currency } = state.details;
    listing.push({
      sku,
      name,
      description,
      image: imageUrl(image, publicUrl) ?? '',
      unitAmount,
      currency,
      available: available(state),
    });
  }
  return listing;
}
