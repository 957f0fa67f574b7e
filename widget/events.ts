/** The DOM events host pages listen to; all bubble out of the shadow root (composed). */
import type { CartLine } from './state/cart';
import type { Failure } from './state/failure';

export interface CartChangeDetail {
  items: CartLine[];
  /** Total quantity across lines. */
  count: number;
  /** What changed it; 'sync' when another tab, or another cart on the page, did. */
  reason: 'add' | 'remove' | 'setQuantity' | 'clear' | 'sync' | 'paid';
}

export interface CheckoutDetail {
  orderId: string;
  checkoutUrl: string;
  items: CartLine[];
}

export interface PaidDetail {
  orderId: string;
  /** Minor units of `currency`. */
  total: number;
  currency: string;
  lines: { sku: string; name: string; quantity: number; unitAmount: number }[];
}

export interface ErrorDetail {
  kind: Failure['kind'];
  message: string;
  /** The order a live status was being followed for, if any. */
  orderId?: string;
}

export interface AddRequestDetail {
  sku: string;
  quantity: number;
  /** The button's own api: a cart of that api takes it. */
  api?: string;
}

export interface StripeCartEventMap {
  'stripe-cart:change': CustomEvent<CartChangeDetail>;
  /** Cancelable: `preventDefault()` keeps the shopper on the page instead of redirecting. */
  'stripe-cart:checkout': CustomEvent<CheckoutDetail>;
  'stripe-cart:paid': CustomEvent<PaidDetail>;
  'stripe-cart:error': CustomEvent<ErrorDetail>;
}

/** Dispatches a bubbling, composed event; returns false if a listener cancelled it. */
export function emit<K extends keyof StripeCartEventMap>(
  target: EventTarget,
  type: K,
  detail: StripeCartEventMap[K]['detail'],
  cancelable = false,
): boolean {
  return target.dispatchEvent(
    new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }),
  );
}

/** `<stripe-cart-add>` asks the cart for an item through this event, never by reference. */
export const ADD_REQUEST = 'stripe-cart:add-request';

declare global {
  interface HTMLElementEventMap extends StripeCartEventMap {
    [ADD_REQUEST]: CustomEvent<AddRequestDetail>;
  }
  // The events bubble and are composed: a page may listen on document or window too.
  interface DocumentEventMap extends StripeCartEventMap {}
  interface WindowEventMap extends StripeCartEventMap {}
}
