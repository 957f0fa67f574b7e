/** The query parameters Stripe brings the shopper back with, and the page URL without them. */

export type CheckoutReturn =
  | { outcome: 'success'; orderId: string; sessionId: string | undefined }
  | { outcome: 'cancel'; orderId: string };

/** Named for the widget, so the page's own `order` or `session_id` survive the trip. */
export const RETURN_PARAMS = ['stripe_cart', 'stripe_cart_order', 'stripe_cart_session'] as const;

/** The query's parameters as written, each with its name as written. */
const parts = (url: URL) => url.search.slice(1).split('&');
/**
 * Ours go by their names as the server writes them, plainly: an encoded spelling
 * (`stripe%5Fcart_order`) is the page's own, kept on the way out and never read as ours,
 * here and on the server alike, so no link can slip an order in beside the real one.
 */
const isOurs = (part: string) => (RETURN_PARAMS as readonly string[]).includes(part.split('=')[0]!);

export function readReturn(href: string): CheckoutReturn | undefined {
  const params = new URLSearchParams(parts(new URL(href)).filter(isOurs).join('&'));
  const outcome = params.get('stripe_cart');
  const orderId = params.get('stripe_cart_order');
  if (!orderId) return undefined;
  if (outcome === 'success') {
    return { outcome, orderId, sessionId: params.get('stripe_cart_session') ?? undefined };
  }
  if (outcome === 'cancel') return { outcome, orderId };
  return undefined;
}

/** Order ids are UUIDs: anything else in the address is no order of this shop's. */
export const isOrderId = (id: string) => /^[\da-f]{8}(-[\da-f]{4}){3}-[\da-f]{12}$/i.test(id);

/**
 * The page as the shopper left it: also what checkout.start gets as `returnUrl`. The page's
 * own parameters stay as written: `searchParams` would re-encode every one of them.
 */
export function withoutReturnParams(href: string): string {
  const url = new URL(href);
  url.search = parts(url)
    .filter((part) => !isOurs(part))
    .join('&');
  return url.href;
}
