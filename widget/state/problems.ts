/**
 * What is wrong with a cart line and the one click that fixes it. The live catalog says it
 * first; a checkout refusal from the server fills in until the catalog catches up.
 */
import type { CartLine } from './cart';

/** Mirrors the server's per-line refusal (`error.data.problems` of checkout.start). */
export type LineProblem =
  | { sku: string; code: 'unknown_sku' | 'delisted' | 'sold_out' }
  | { sku: string; code: 'insufficient_stock'; available: number; requested: number }
  | { sku: string; code: 'currency_mismatch'; currency: string }
  | { sku: string; code: 'amount_too_large'; maxQuantity: number; requested: number };

export interface StockInfo {
  sku: string;
  available: number;
  currency: string;
}

export type LineIssue =
  | { kind: 'unavailable' }
  | { kind: 'sold_out' }
  | { kind: 'only_left'; available: number }
  | { kind: 'currency'; currency: string }
  /** More than one payment can take; `max` of it would fit. */
  | { kind: 'too_much'; max: number };

export type LineFix = { type: 'remove' } | { type: 'setQuantity'; quantity: number };

/** From the catalog as the shopper sees it now; undefined when the line can be bought. */
function catalogIssue(
  line: CartLine,
  product: StockInfo | undefined,
  cartCurrency: string | undefined,
): LineIssue | undefined {
  if (!product) return { kind: 'unavailable' };
  if (product.available <= 0) return { kind: 'sold_out' };
  if (line.quantity > product.available) return { kind: 'only_left', available: product.available };
  if (cartCurrency && product.currency !== cartCurrency)
    return { kind: 'currency', currency: product.currency };
  return undefined;
}

export function refusalIssue(problem: LineProblem): LineIssue {
  switch (problem.code) {
    case 'unknown_sku':
    case 'delisted':
      return { kind: 'unavailable' };
    case 'sold_out':
      return { kind: 'sold_out' };
    case 'insufficient_stock':
      return problem.available > 0
        ? { kind: 'only_left', available: problem.available }
        : { kind: 'sold_out' };
    case 'currency_mismatch':
      return { kind: 'currency', currency: problem.currency };
    case 'amount_too_large':
      return { kind: 'too_much', max: problem.maxQuantity };
    default: {
      const _exhaustive: never = problem;
      return _exhaustive;
    }
  }
}

export function fixFor(issue: LineIssue): LineFix {
  const quantity =
    issue.kind === 'only_left' ? issue.available : issue.kind === 'too_much' ? issue.max : 0;
  return quantity > 0 ? { type: 'setQuantity', quantity } : { type: 'remove' };
}

/** The currency the cart is priced in: the first line's that the catalog knows. */
export function cartCurrency(
  lines: readonly CartLine[],
  products: ReadonlyMap<string, StockInfo>,
): string | undefined {
  for (const line of lines) {
    const product = products.get(line.sku);
    if (product) return product.currency;
  }
  return undefined;
}

/**
 * Issues for every line. Without a catalog yet, only refusals speak; with one, the catalog
 * is newer than any refusal (the server pushes every stock change), so it wins.
 */
export function lineIssues(
  lines: readonly CartLine[],
  products: ReadonlyMap<string, StockInfo> | null,
  refusals: ReadonlyMap<string, LineProblem>,
): Map<string, LineIssue> {
  const issues = new Map<string, LineIssue>();
  const currency = products ? cartCurrency(lines, products) : undefined;
  for (const line of lines) {
    const refusal = refusals.get(line.sku);
    const issue = products
      ? (catalogIssue(line, products.get(line.sku), currency) ??
        (refusal ? refusalIssue(refusal) : undefined))
      : refusal && refusalIssue(refusal);
    if (issue) issues.set(line.sku, issue);
  }
  return issues;
}

export function isLineProblem(value: unknown): value is LineProblem {
  if (typeof value !== 'object' || value === null) return false;
  const { sku, code } = value as Record<string, unknown>;
  return (
    typeof sku === 'string' &&
    (code === 'unknown_sku' ||
      code === 'delisted' ||
      code === 'sold_out' ||
      code === 'insufficient_stock' ||
      code === 'currency_mismatch' ||
      code === 'amount_too_large')
  );
}
