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

/** The HTML attributes a page gives either element: `style` sets its custom properties. */
interface CommonAttributes {
  id?: string;
  class?: string;
  hidden?: boolean;
  lang?: string;
  slot?: string;
  style?: string | Record<string, string | number>;
  children?: unknown;
}

/** `<stripe-cart>`'s attributes in JSX: exported for JSX namespaces of a framework's own. */
export interface StripeCartAttributes extends CommonAttributes {
  api: string;
  locale?: string;
  /** JSON, e.g. '{"pay":"Buy now"}'. */
  messages?: string;
}

/** `<stripe-cart-add>`'s attributes in JSX. */
export interface StripeCartAddAttributes extends CommonAttributes {
  sku: string;
  quantity?: number | string;
  api?: string;
  locale?: string;
}

declare global {
  interface HTMLElementTagNameMap {
    'stripe-cart': StripeCart;
    'stripe-cart-add': StripeCartAdd;
  }
  // For JSX that reads the global namespace (React's classic runtime); Preact and Solid read
  // their own, where widget/README.md shows how to declare the elements.
  namespace JSX {
    interface IntrinsicElements {
      'stripe-cart': StripeCartAttributes;
      'stripe-cart-add': StripeCartAddAttributes;
    }
  }
}
