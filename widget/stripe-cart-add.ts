import { html, LitElement, nothing } from 'lit';
import type { CatalogProduct } from './api';
import { catalogFeed } from './catalog';
import { ADD_REQUEST } from './events';
import { messagesFor, resolveLocale, textLanguage, translator } from './i18n';
import { adds, carts } from './page-adds';
import { formatMoney } from './state/money';
import { addStyles } from './styles';

/** Stock at or below this shows "Only N left" under the button. */
const LOW_STOCK = 3;

/**
 * An "Add to cart" button for one product, showing its live price and stock from the server.
 * It asks the page's `<stripe-cart>` to add the item, so it works anywhere on the page.
 *
 * @tag stripe-cart-add
 *
 * @attr sku - The product to add. Required.
 * @attr quantity - How many to add per click. Default 1.
 * @attr api - The server, when it differs from the first `<stripe-cart api>` on the page
 *   (which may come later: the button finds it then).
 * @attr locale - Language of the texts and price (`en_US` reads as `en-US`). Default, or when it
 *   is no language tag: the nearest `lang`, then the browser's.
 *
 * @slot - The button's label. Default: "Add to cart". Screen readers hear the product's name
 *   after it (hidden on screen), then the price.
 *
 * @csspart button - The button. @csspart price - The price inside it.
 * @csspart stock - "Sold out" / "No longer available" / "Only N left" under it.
 *   Sold out or no longer sold, the button is disabled.
 *
 * @cssprop --stripe-cart-accent, --stripe-cart-accent-text, --stripe-cart-radius,
 *   --stripe-cart-danger, --stripe-cart-focus-ring - Shared with `<stripe-cart>`.
 */
export class StripeCartAdd extends LitElement {
  static override styles = addStyles;
  static override properties = {
    sku: { type: String },
    quantity: { type: Number },
    api: { type: String },
    locale: { type: String },
    _products: { state: true },
  };

  declare sku: string;
  declare quantity: number;
  declare api: string | undefined;
  declare locale: string | undefined;
  /** The live catalog, so a changed `sku` shows at once, not at the next push. */
  declare private _products: ReadonlyMap<string, CatalogProduct> | null | undefined;
  #followed: string | null | undefined;
  #unfollow: (() => void) | undefined;

  constructor() {
    super();
    this.sku = '';
    this.quantity = 1;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    adds.delete(this);
    this.#follow(null);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    adds.add(this);
    this.#follow(this.#feedApi);
  }

  /**
   * Looks for its server at every update, not only when connected: the page's cart may come
   * later (a classic script in <head>, a cart inserted by script), and asks us to update then.
   */
  protected override willUpdate(): void {
    if (this.isConnected) this.#follow(this.#feedApi);
  }

  /** The page's first cart with an api (the button's own, if any): its server and its texts. */
  get #cart() {
    return [...carts].find((cart) => cart.api && (!this.api || cart.api === this.api));
  }

  /** Its own server, else the page's cart's. */
  get #feedApi(): string | undefined {
    return this.api || this.#cart?.api;
  }

  /** Follows the catalog of `api` (or none when null); a no-op when it already does. */
  #follow(api: string | null | undefined): void {
    if (api === this.#followed) return;
    this.#unfollow?.();
    this.#followed = api;
    this.#unfollow = undefined;
    try {
      if (api)
        this.#unfollow = catalogFeed(api).subscribe(({ products }) => {
          this._products = products;
        });
    } catch {
      // No URL: no price to show. Said once, not at each move (a cart's own api, by the cart).
      if (api === this.api && !this.hasUpdated)
        console.error(`<stripe-cart-add>: api="${api}" is not a URL`);
    }
  }

  #add(): void {
    this.dispatchEvent(
      new CustomEvent(ADD_REQUEST, {
        detail: { sku: this.sku, quantity: this.quantity > 0 ? this.quantity : 1, api: this.api },
        bubbles: true,
        composed: true,
        cancelable: true,
      }),
    );
  }

  protected override render() {
    const locale = resolveLocale(this, this.locale);
    // The site's texts are set on the cart (its `messages`): "Sold out" and the label follow.
    const overrides = this.#cart?.messages;
    const t = translator(messagesFor(locale, overrides), locale);
    const lang = textLanguage(locale, overrides) ?? nothing;
    const product = this._products?.get(this.sku);
    // A catalog without the sku (delisted, or a typo) cannot be bought either: as sold out.
    const soldOut = !!this._products && !(product && product.available > 0);
    const stock = soldOut
      ? t(product ? 'soldOut' : 'unavailable')
      : product && product.available <= LOW_STOCK
        ? t('onlyLeft', { count: product.available })
        : '';
    // The product's name is in the button's name, hidden: eight "Add to cart" buttons differ
    // only by it. Not aria-label, which would hide a label the site put in the slot.
    // The site's own label (slotted) and the product's name are in the page's language.
    return html`<button part="button" type="button" ?disabled=${soldOut}
        aria-describedby=${stock ? 'stock' : nothing} @click=${() => this.#add()}>
        <slot><span lang=${lang}>${t('addToCart')}</span></slot>
        ${
          product
            ? html`<span class="sr">${product.name}</span>
              <span class="price" part="price">${formatMoney(product.unitAmount, product.currency, locale)}</span>`
            : nothing
        }
      </button>
      <span class="stock" part="stock" id="stock" lang=${lang} ?hidden=${!stock}>${stock}</span>`;
  }
}
