/**
 * The widget bundle: defines `<stripe-cart>` and `<stripe-cart-add>`. A site embeds it with
 *   <script type="module" src="https://shop.example/widget/stripe-cart.js"></script>
 *   <stripe-cart api="https://shop.example"></stripe-cart>
 */
import { StripeCart } from './stripe-cart';
import { StripeCartAdd } from './stripe-cart-add';

// A page may load the script twice (two snippets, two builds): the first definition wins.
if (!customElements.get('stripe-cart')) customElements.define('stripe-cart', StripeCart);
if (!customElements.get('stripe-cart-add')) customElements.define('stripe-cart-add', StripeCartAdd);

export type { CatalogProduct, OrderStatus, OrderView } from './api';
export type {
  CartChangeDetail,
  CheckoutDetail,
  ErrorDetail,
  PaidDetail,
  StripeCartEventMap,
} from './events';
export type { MessageKey, Messages } from './i18n';
export type { CartLine } from './state/cart';
export { StripeCart, StripeCartAdd };

interface StripeCartAttributes {
  api: string;
  locale?: string;
  /** JSON, e.g. '{"pay":"Buy now"}'. */
  messages?: string;
  id?: string;
  class?: string;
  children?: unknown;
}

interface StripeCartAddAttributes {
  sku: string;
  quantity?: number | string;
  api?: string;
  locale?: string;
  id?: string;
  class?: string;
  children?: unknown;
}

declare global {
  interface HTMLElementTagNameMap {
    'stripe-cart': StripeCart;
    'stripe-cart-add': StripeCartAdd;
  }
  // For JSX users (Preact, Solid, React's classic runtime): the elements and their attributes.
  namespace JSX {
    interface IntrinsicElements {
      'stripe-cart': StripeCartAttributes;
      'stripe-cart-add': StripeCartAddAttributes;
    }
  }
}
