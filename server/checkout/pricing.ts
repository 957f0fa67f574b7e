/**
 * Prices a cart from the catalog alone: whatever the page sent beyond sku and
 * quantity is never read. Returns priced lines, or every problem at once so the
 * shopper can fix the whole cart in one go (a total too small for Stripe is said once
 * the lines themselves are fine).
 */
import type { ProductState } from '../catalog/product';
import { available } from '../catalog/product';
import { MAX_AMOUNT, type OrderLine } from '../domain/events';
import { minimumCharge } from '../payments/stripe-limits';

export interface CartItem {
  sku: string;
  quantity: number;
}

export type LineProblem =
  | { sku: string; code: 'unknown_sku' | 'delisted' | 'sold_out' }
  | { sku: string; code: 'insufficient_stock'; available: number; requested: number }
  | { sku: string; code: 'currency_mismatch'; currency: string }
  /** With the lines before it, this line would take the total past what one payment can take. */
  | { sku: string; code: 'amount_too_large'; maxQuantity: number; requested: number };

/** The whole cart is below the smallest payment Stripe takes in its currency. */
interface CartProblem {
  code: 'amount_too_small';
  minimum: number;
  currency: string;
}

export type Problem = LineProblem | CartProblem;

export type PricedCart =
  | { ok: true; lines: OrderLine[]; currency: string; total: number }
  | { ok: false; problems: Problem[] };

export function priceCart(
  items: readonly CartItem[],
  products: ReadonlyMap<string, ProductState>,
): PricedCart {
  const problems: LineProblem[] = [];
  const lines: OrderLine[] = [];
  let currency: string | undefined;
  let total = 0;
  for (const { sku, quantity } of items) {
    const product = products.get(sku);
    if (!product?.details) {
      problems.push({ sku, code: 'unknown_sku' });
      continue;
    }
    if (!product.listed) {
      problems.push({ sku, code: 'delisted' });
      continue;
    }
    // The cart's currency is its first priced line's, in stock or not, as the widget reckons it.
    currency ??= product.details.currency;
    if (product.details.currency !== currency) {
      problems.push({ sku, code: 'currency_mismatch', currency: product.details.currency });
      continue;
    }
    const left = available(product);
    if (left === 0) {
      problems.push({ sku, code: 'sold_out' });
      continue;
    }
    if (left < quantity) {
      problems.push({ sku, code: 'insufficient_stock', available: left, requested: quantity });
      continue;
    }
    const { name, image, unitAmount } = product.details;
    const amount = unitAmount * quantity;
    if (total + amount > MAX_AMOUNT) {
      const maxQuantity = Math.floor((MAX_AMOUNT - total) / unitAmount);
      problems.push({ sku, code: 'amount_too_large', maxQuantity, requested: quantity });
      continue;
    }
    total += amount;
    lines.push({ sku, name, image, unitAmount, quantity, amount });
  }
  if (problems.length > 0 || !currency) return { ok: false, problems };
  const minimum = minimumCharge(currency);
  if (total < minimum) {
    return { ok: false, problems: [{ code: 'amount_too_small', minimum, currency }] };
  }
  return { ok: true, lines, currency, total };
}
