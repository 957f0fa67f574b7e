/**
 * The page's carts and add buttons (re-rendered when its language changes), and its ways to
 * add to the cart: `data-cart-add` elements and `<stripe-cart-add>` requests.
 */
import { ADD_REQUEST, type AddRequestDetail } from './events';
import type { StripeCart } from './stripe-cart';
import type { StripeCartAdd } from './stripe-cart-add';

/** The connected carts, in the order they connected: those in shadow roots too (a header component's). */
export const carts = new Set<StripeCart>();

/**
 * The connected add buttons, those in shadow roots too (a product card's): a cart that gets
 * its api or messages tells each one, which no query of the document could find.
 */
export const adds = new Set<StripeCartAdd>();

/**
 * The cart that takes the page's adds and the shopper back from Stripe: the first one the
 * page renders (a header cart hidden on phones can neither show its panel nor be heard),
 * else the first hidden by its own `hidden` (its panel still opens), else the first.
 */
export function mainCart(cart: StripeCart, api?: string): StripeCart | undefined {
  // A button with its own api (a second shop on the page) goes to a cart of that api, and to
  // no other shop's cart when none has it.
  const all = [...carts].filter((c) => !api || c.api === api);
  return (
    all.find((c) => !c.hidden && c.getClientRects().length) ??
    all.find((c) => c.hidden) ??
    all[0] ??
    (api ? undefined : cart)
  );
}

/** Adds to `cart` what the page asks for, until the returned function stops listening. */
export function listenForAdds(cart: StripeCart): () => void {
  const onAddRequest = (event: CustomEvent<AddRequestDetail>) => {
    if (event.defaultPrevented || mainCart(cart, event.detail.api) !== cart) return;
    event.preventDefault();
    cart.add(event.detail.sku, event.detail.quantity);
  };
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || mainCart(cart) !== cart) return;
    // The path, not the target: a button inside a web component's shadow root counts too.
    const trigger = event
      .composedPath()
      .find((node): node is HTMLElement => !!(node as HTMLElement).dataset?.cartAdd);
    const sku = trigger?.dataset.cartAdd;
    if (!trigger || !sku) return;
    event.preventDefault();
    const quantity = Number.parseInt(trigger.dataset.cartQuantity ?? '1', 10);
    cart.add(sku, Number.isFinite(quantity) && quantity > 0 ? quantity : 1);
  };
  document.addEventListener(ADD_REQUEST, onAddRequest as EventListener);
  document.addEventListener('click', onClick);
  return () => {
    document.removeEventListener(ADD_REQUEST, onAddRequest as EventListener);
    document.removeEventListener('click', onClick);
  };
}

// A page that switches its language without a reload (a script setting `<html lang>`) gets
// the elements in it at once, not at their next change.
new MutationObserver(() => {
  for (const element of [...carts, ...adds]) element.requestUpdate();
}).observe(document, { attributeFilter: ['lang'], subtree: true });
