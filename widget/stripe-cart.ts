/** The `<stripe-cart>` element: its public API and cart state, wired to its feeds, dialog and views. */
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { CatalogProduct, ShopApi } from './api';
import { catalogFeed } from './catalog';
import { EMAIL, RETRY_DELAYS_MS, serverLocale, uuid } from './checkout';
import type { CartChangeDetail } from './events';
import { emit } from './events';
import { deepActiveElement, trapTab } from './focus';
import type { MessageOverrides, Translate } from './i18n';
import {
  messagesFor,
  pageLang,
  parseMessages,
  pluralKey,
  resolveLocale,
  textLanguage,
  translator,
} from './i18n';
import { OrderFollower } from './order-follower';
import { adds, carts, listenForAdds, mainCart } from './page-adds';
import type { CartAction, CartLine } from './state/cart';
import { itemCount, MAX_QUANTITY, parseLines, reduceCart, sameLines } from './state/cart';
import type { Failure } from './state/failure';
import { classifyFailure, failureText, retryOnNetwork } from './state/failure';
import { formatMoney } from './state/money';
import { isFinal, statusMessage } from './state/order-status';
import type { LineFix, LineProblem } from './state/problems';
import { type CheckoutReturn, isOrderId, readReturn, withoutReturnParams } from './state/return';
import {
  announceSaved,
  loadCart,
  onCartSaved,
  orderMarks,
  type SavedCheckout,
  safeStorage,
  saveCart,
  storageKey,
} from './state/storage';
import { cartStyles } from './styles';
import { cartIcon, cartView, orderView } from './views';

/**
 * A shopping cart that pays on Stripe Checkout: a button with a count badge that opens a
 * slide-over dialog with the cart, and a live order status when the shopper comes back.
 *
 * Names, prices and stock come from the server (`catalog.watch`), never from the page. The
 * cart is kept in localStorage per API origin and shared by every tab of the site.
 *
 * @tag stripe-cart
 *
 * @attr api - Base URL of the stripe-cart server, e.g. `https://shop.example`. Required (the
 *   console says so when it is missing).
 * @attr locale - Language of the texts and money, e.g. `it` or `en-GB` (`en_US` reads as
 *   `en-US`). Default, or when it is no language tag: the nearest `lang` attribute, then the
 *   browser's language.
 * @attr messages - JSON object overriding any text, e.g. `{"pay":"Buy now"}`.
 *
 * @prop {MessageOverrides} messages - The same overrides, as an object.
 * @prop {readonly CartLine[]} items - The lines in the cart (read-only copy).
 *
 * @method add(sku: string, quantity = 1): void - Adds to the cart (capped by stock).
 * @method remove(sku: string): void - Removes a line (with no argument, the element itself, as DOM's remove()).
 * @method setQuantity(sku: string, quantity: number): void - 0 removes the line.
 * @method clear(): void
 * @method open(): void - Opens the cart dialog.
 * @method close(): void
 *
 * Page elements with `data-cart-add="SKU"` (and optional `data-cart-quantity="2"`) add to
 * the cart when clicked; so does `<stripe-cart-add sku="SKU">`.
 *
 * @slot - The button's label, next to the cart icon, and its accessible name with the count
 *   after it ("Basket, 2 items"). Default: "Cart".
 *
 * @fires stripe-cart:change - {items, count, reason}: the lines changed (also from another tab,
 *   or another `<stripe-cart>` of the same api on the page).
 * @fires stripe-cart:checkout - {orderId, checkoutUrl, items}: about to go to Stripe.
 *   Cancelable: `preventDefault()` stays on the page.
 * @fires stripe-cart:paid - {orderId, total, currency, lines}: the order was paid.
 * @fires stripe-cart:error - {kind, message, orderId?}: a checkout or connection failure.
 *
 * @csspart button - The cart button. @csspart badge - Its item count.
 * @csspart dialog - The slide-over. @csspart header, close, body, footer.
 * @csspart lines - The list of lines. @csspart line - One line.
 * @csspart image, name, price, line-total, stepper, remove - The parts of a line.
 * @csspart issue - A line's problem (sold out, only N left). @csspart fix - Its one-click fix.
 * @csspart subtotal, email, checkout - The footer's subtotal, email input and pay button.
 * @csspart notice, error - Messages above and below the lines.
 * @csspart order, status, continue - The order shown after payment.
 *
 * @cssprop --stripe-cart-accent - Main colour (pay button, badge). Default #635bff.
 * @cssprop --stripe-cart-accent-text - Text on the accent colour. Default #fff.
 * @cssprop --stripe-cart-background, --stripe-cart-text, --stripe-cart-muted, --stripe-cart-border
 * @cssprop --stripe-cart-danger, --stripe-cart-success - Problem and paid colours.
 * @cssprop --stripe-cart-radius - Corner radius. @cssprop --stripe-cart-width - Dialog width.
 * @cssprop --stripe-cart-font - Font family. Default: inherited from the page.
 * @cssprop --stripe-cart-focus-ring - Focus outline colour. @cssprop --stripe-cart-backdrop
 * @cssprop --stripe-cart-button-background - The cart button's background.
 */
export class StripeCart extends LitElement {
  static override styles = cartStyles;
  static override properties = {
    api: { type: String },
    locale: { type: String },
    messages: { converter: parseMessages },
    _lines: { state: true },
    _email: { state: true },
    _products: { state: true },
    _offline: { state: true },
    _refusals: { state: true },
    _busy: { state: true },
    _notice: { state: true },
    _error: { state: true },
    _emailError: { state: true },
    _announcement: { state: true },
    _open: { state: true },
  };

  declare api: string;
  declare locale: string | undefined;
  declare messages: MessageOverrides | undefined;
  declare private _lines: readonly CartLine[];
  declare private _email: string;
  declare private _products: ReadonlyMap<string, CatalogProduct> | null;
  declare private _offline: boolean;
  declare private _refusals: ReadonlyMap<string, LineProblem>;
  declare private _busy: boolean;
  declare private _notice: string;
  declare private _error: string;
  declare private _emailError: boolean;
  declare private _announcement: string;
  declare private _open: boolean;

  #shop: ShopApi | undefined;
  #key = '';
  #teardown: (() => void)[] = [];
  #returnFocus: HTMLElement | null = null;
  #openWhenReady = false;
  /** Announcements made so far: each sets its text only while it is the latest. */
  #announcements = 0;
  /** One function, so connecting again adds no second listener and disconnecting removes it. */
  #shown = () => {
    this._busy = false;
  };
  #returnHandled = false;
  #follower = new OrderFollower(
    this,
    (view) => {
      this.#announce(this.#t(statusMessage[view.status]));
      const unpaid = isFinal(view.status) && view.status !== 'paid';
      const { id, sessionId } = this.#follower.order!;
      // The order's units (only they: another tab may have added more) leave the cart when it
      // is first read, unless it ended unpaid, once in this browser: a reload, another tab or
      // Stripe's page reached again by Back shows the order and takes nothing out twice. They
      // come back if it fails later (a debit still settling when the shopper came back).
      const marks = orderMarks(safeStorage(), this.#key);
      const out = marks.has(`out:${id}`);
      if (!out && !unpaid) this.#dispatch({ type: 'paid', lines: view.lines }, 'paid');
      if (out && unpaid)
        for (const { sku, quantity } of view.lines)
          this.#dispatch({ type: 'add', sku, quantity }, 'add');
      if (out === unpaid) marks.set(`out:${id}`, !out);
      // Kept for a reload until it ends.
      this.#keep(isFinal(view.status) ? undefined : { outcome: 'success', orderId: id, sessionId });
    },
    () => {
      this.#keep();
      this._notice = this.#t('orderUnknown');
    },
  );

  constructor() {
    super();
    this.api = '';
    this._lines = [];
    this._email = '';
    this._products = null;
    this._offline = false;
    this._refusals = new Map();
    this._busy = false;
    this._notice = '';
    this._error = '';
    this._emailError = false;
    this._announcement = '';
    this._open = false;
  }

  /**
   * The live stock, with what this browser's last Pay holds given back to it: back from
   * Stripe's page, the shopper's own units are not someone else's sale.
   */
  get #stock(): ReadonlyMap<string, CatalogProduct> | null {
    const held = loadCart(safeStorage(), this.#key).checkout;
    if (!held?.order || !this._products) return this._products;
    const stock = new Map(this._products);
    let lines: unknown;
    try {
      lines = JSON.parse(held.for)[0];
    } catch {
      // Another version's (or a hand-edited) entry: nothing to give back.
    }
    for (const { sku, quantity } of parseLines(lines)) {
      const p = stock.get(sku);
      if (p) stock.set(sku, { ...p, available: p.available + quantity });
    }
    return stock;
  }

  // ---- public API ----

  get items(): CartLine[] {
    return this._lines.map((line) => ({ ...line }));
  }

  add(sku: string, quantity = 1): void {
    const products = this.#stock;
    const product = products?.get(sku);
    const name = product?.name ?? sku;
    // Sold out, or missing from a catalog that has come (delisted, a typo): nothing to buy.
    if (products && !(product && product.available > 0)) {
      this.#announce(`${name}: ${this.#t(product ? 'soldOut' : 'unavailable')}`);
      return;
    }
    const before = this.#quantityOf(sku);
    this.#dispatch({ type: 'add', sku, quantity, max: product?.available }, 'add');
    const after = this.#quantityOf(sku);
    if (this.#stockCapped(product, before + quantity, after)) return;
    if (after > before) {
      this.#announce(this.#t('added', { name }));
    } else if (after) {
      this.#announce(this.#t('changed', { name, count: after }));
    }
  }

  /**
   * Says "only N left" when the stock made the cart hold fewer than `wanted`, and whether it
   * did. Stock is one cap; 99 of a sku and 50 lines are the others, and it would be false for them.
   */
  #stockCapped(product: CatalogProduct | undefined, wanted: number, held: number): boolean {
    if (held >= wanted || held !== product?.available) return false;
    this.#announce(`${product.name}: ${this.#t('onlyLeft', { count: held })}`);
    return true;
  }

  /** Removes a line; without a sku it keeps the DOM meaning and removes the element. */
  override remove(sku?: string): void {
    if (sku === undefined) {
      super.remove();
      return;
    }
    const name = this._products?.get(sku)?.name ?? sku;
    if (this.#dispatch({ type: 'remove', sku }, 'remove'))
      this.#announce(this.#t('removed', { name }));
  }

  setQuantity(sku: string, quantity: number): void {
    if (quantity < 1) {
      this.remove(sku);
      return;
    }
    const product = this.#stock?.get(sku);
    const max = product && product.available > 0 ? product.available : MAX_QUANTITY;
    const changed = this.#dispatch({ type: 'setQuantity', sku, quantity, max }, 'setQuantity');
    const count = this.#quantityOf(sku);
    // A quantity typed past the stock is lowered to it: said, even when nothing changed.
    if (!this.#stockCapped(product, quantity, count) && changed)
      this.#announce(this.#t('changed', { name: product?.name ?? sku, count }));
  }

  clear(): void {
    if (this.#dispatch({ type: 'clear' }, 'clear')) this.#announce(this.#t('cleared'));
  }

  open(): void {
    const dialog = this.#dialog;
    if (!dialog) {
      this.#openWhenReady = true;
      return;
    }
    if (dialog.open) return;
    // Never a modal the page cannot show (it would freeze the page): a cart hidden with its
    // header opens the one shown instead; one with its own \`hidden\` shows just its panel.
    if (!this.hidden && !this.getClientRects().length) {
      const main = mainCart(this);
      if (main !== this) main?.open();
      return;
    }
    this.toggleAttribute('open', true);
    const active = deepActiveElement();
    this.#returnFocus = active instanceof HTMLElement && active !== document.body ? active : null;
    dialog.showModal();
    this._open = true;
    // Else the last one moves to the dialog's live region and is read again.
    this._announcement = '';
  }

  close(): void {
    this.#dialog?.close();
    // The dialog's close event comes a task later; focus goes back now, not after a gap.
    this.#afterClose();
  }

  // ---- lifecycle ----

  override connectedCallback(): void {
    super.connectedCallback();
    carts.add(this);
    this.#teardown.push(listenForAdds(this));
    // Back from Stripe's page through the browser's back/forward cache: the page is as it was left.
    addEventListener('pageshow', this.#shown);
    // Moved in the DOM (disconnected, then connected again): willUpdate runs only on the
    // first connection or when `api` changes, so the feeds come back here.
    if (this.hasUpdated) this.#connectApi();
    // Open when moved: out of the document it left the top layer, and came back as a box in
    // the page. Modal again (without its close event, which would end the cart's session).
    const dialog = this.#dialog;
    if (this._open && dialog) {
      dialog.removeAttribute('open');
      dialog.showModal();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    carts.delete(this);
    for (const stop of this.#teardown.splice(0)) stop();
    removeEventListener('pageshow', this.#shown);
    this.#disconnectApi();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api')) this.#connectApi();
    // The buttons take their texts from the cart's messages, set from script too.
    else if (changed.has('messages')) this.#updateAdds();
  }

  #updateAdds(): void {
    for (const add of adds) add.requestUpdate();
  }

  protected override firstUpdated(): void {
    this.#dialog?.addEventListener('close', () => this.#afterClose());
    if (this.#openWhenReady) {
      this.#openWhenReady = false;
      this.open();
    }
    performance.mark('stripe-cart:interactive');
  }

  #apiTeardown: (() => void)[] = [];

  #connectApi(): void {
    this.#disconnectApi();
    // While disconnected nothing listens; connectedCallback connects again.
    if (!this.isConnected) return;
    if (!this.api) {
      // Said once, not each time the element moves. The shopper reads that the shop cannot
      // be reached, rather than "Loading…" forever (until a script sets the api).
      if (!this.hasUpdated)
        console.error(
          "<stripe-cart>: the api attribute is missing: set it to your stripe-cart server's URL",
        );
      this._error = this.#t('network');
      return;
    }
    let feed: ReturnType<typeof catalogFeed>;
    try {
      feed = catalogFeed(this.api);
    } catch {
      // Once, as above.
      if (!this.hasUpdated) console.error(`<stripe-cart>: api="${this.api}" is not a URL`);
      return;
    }
    this.#shop = feed.api;
    this._error = '';
    const key = storageKey(feed.api.origin);
    // Reconnecting to the same shop keeps the cart in memory: without storage it is the only copy.
    if (key !== this.#key) {
      // Adds made before the first api (a script right after whenDefined) join the saved cart:
      // a sync with the saved lines, those adds having been announced when made.
      const early = this.#key ? [] : this._lines;
      this.#key = key;
      const saved = loadCart(safeStorage(), key);
      this._lines = saved.lines;
      this._email ||= saved.email;
      for (const { sku, quantity } of early) this.#dispatch({ type: 'add', sku, quantity }, 'sync');
    }
    this.#apiTeardown.push(
      feed.subscribe(({ products, offline }) => {
        // The catalog shows stock, not what one payment can take: that refusal stays.
        if (products !== this._products)
          this._refusals = new Map(
            [...this._refusals].filter(([, p]) => p.code === 'amount_too_large'),
          );
        this._products = products;
        this._offline = offline;
      }),
      onCartSaved(
        window,
        this.#key,
        (cart) => {
          this._email = cart.email;
          // The email is saved at every keystroke: only the lines are news to listeners.
          if (sameLines(cart.lines, this._lines)) return;
          this._lines = cart.lines;
          this.#changed('sync');
        },
        this,
      ),
    );
    this.#follower.follow(feed.api, orderMarks(safeStorage(), key));
    // Buttons that connected before any cart had an api look for theirs again, in shadow
    // roots too (one not yet upgraded looks when it connects).
    this.#updateAdds();
    if (!this.#returnHandled && this.#takesReturn()) {
      this.#returnHandled = true;
      this.#handleReturn(feed.api);
    }
  }

  /**
   * Whether this cart takes the shopper back from Stripe: the one whose last Pay made the
   * order (two shops on one page, each with its saved cart), else the page's main cart.
   */
  #takesReturn(): boolean {
    const address = readReturn(location.href);
    const kept = history.state?.stripeCart;
    const id = (address ?? kept)?.orderId;
    const storage = safeStorage();
    const owner =
      (!address && kept?.shop) ||
      Object.keys(storage).find((key) => id && loadCart(storage, key).checkout?.order === id);
    return owner ? owner === this.#key : mainCart(this) === this;
  }

  #disconnectApi(): void {
    for (const stop of this.#apiTeardown.splice(0)) stop();
    this.#follower.stop();
  }

  // ---- cart changes ----

  #quantityOf(sku: string): number {
    return this._lines.find((l) => l.sku === sku)?.quantity ?? 0;
  }

  #dispatch(action: CartAction, reason: CartChangeDetail['reason']): boolean {
    const next = reduceCart(this._lines, action);
    if (next === this._lines) return false;
    this._lines = next;
    if ('sku' in action && this._refusals.has(action.sku)) {
      const refusals = new Map(this._refusals);
      refusals.delete(action.sku);
      this._refusals = refusals;
    }
    this._notice = '';
    this.#persist();
    this.#changed(reason);
    return true;
  }

  /**
   * Saves the cart (with the last Pay, unless one is given, or null to forget it); new lines
   * are also news to the other carts of this window.
   */
  #persist(
    news = true,
    checkout: SavedCheckout | null | undefined = loadCart(safeStorage(), this.#key).checkout,
  ): void {
    if (!this.#key) return;
    const cart = { lines: [...this._lines], email: this._email, checkout: checkout ?? undefined };
    saveCart(safeStorage(), this.#key, cart);
    if (news) announceSaved(window, this.#key, cart, this);
  }

  #changed(reason: CartChangeDetail['reason']): void {
    emit(this, 'stripe-cart:change', { items: this.items, count: itemCount(this._lines), reason });
  }

  #announce(text: string): void {
    // Re-set even an identical text so screen readers speak it again: emptied for a rendered
    // frame first (the accessibility tree is updated once a frame, so a change undone within
    // one is never read). A loaded machine can render less often than the pause, so the
    // frame is waited for too; a hidden page renders none, and its pause is enough.
    this._announcement = '';
    // Only the latest is set: an older one still waiting for frames (its page hidden since)
    // must not replace the news that came after it.
    const latest = ++this.#announcements;
    const rendered = this.updateComplete.then(
      () =>
        new Promise<void>((done) => {
          if (document.hidden) done();
          else requestAnimationFrame(() => requestAnimationFrame(() => done()));
        }),
    );
    const paused = new Promise((done) => setTimeout(done, 99));
    Promise.all([rendered, paused]).then(() => {
      if (latest === this.#announcements) this._announcement = text;
    });
  }

  // ---- checkout ----

  async #checkout(event: Event): Promise<void> {
    event.preventDefault();
    if (this._busy || !this.#shop || this._lines.length === 0) return;
    const email = this._email.trim();
    if (!EMAIL.test(email)) {
      this._emailError = true;
      this.#focusLater('#email');
      return;
    }
    this._busy = true;
    this._error = '';
    this._notice = '';
    const shop = this.#shop;
    const items = this.items;
    // One Pay at a time in all the shop's tabs: a Pay pressed meanwhile in another tab reads
    // this one's saved checkout once it has its answer, so a cart changed there ends this
    // order, rather than reaching the server before it and both getting a Stripe page.
    let ran = false;
    const pay = () => {
      ran = true;
      return this.#pay(shop, items, email);
    };
    // Denied in sandboxed frames and where site data is blocked, and missing on plain http
    // other than localhost (a phone on the shop's network): then Pay goes without it.
    await navigator.locks?.request(this.#key, pay).catch((error) => {
      if (ran) throw error;
    });
    if (!ran) await pay();
  }

  async #pay(shop: ShopApi, items: CartLine[], email: string): Promise<void> {
    const cart = JSON.stringify([items, email]);
    const saved = loadCart(safeStorage(), this.#key).checkout;
    const again = saved?.for === cart;
    let checkout: SavedCheckout = again
      ? saved
      : {
          id: uuid(),
          for: cart,
          // Without an answer, the last Pay may not have ended those it was to replace.
          replaces: saved && [saved.id, ...((!saved.order && saved.replaces) || [])].slice(0, 5),
        };
    const start = () => {
      this.#persist(false, checkout);
      const input = {
        checkoutId: checkout.id,
        items,
        email,
        returnUrl: withoutReturnParams(location.href),
        ...serverLocale(this.#currentLocale),
        ...(checkout.replaces && { replaces: checkout.replaces }),
      };
      return retryOnNetwork(() => shop.startCheckout(input), {
        delaysMs: RETRY_DELAYS_MS,
        onRetry: () => {
          this._error = this.#t('retrying');
        },
      });
    };
    try {
      const started = await start().catch((error) => {
        // That earlier Pay's order ended unpaid (expired, cancelled, failed): this is a new one.
        if (!again || classifyFailure(error).kind !== 'conflict') throw error;
        checkout = { id: uuid(), for: cart };
        return start();
      });
      this._error = '';
      this.#persist(false, { ...checkout, order: started.orderId });
      const proceed = emit(this, 'stripe-cart:checkout', { ...started, items }, true);
      if (proceed) location.assign(started.checkoutUrl);
      else this._busy = false;
    } catch (error) {
      this._busy = false;
      this.#showFailure(classifyFailure(error));
    }
  }

  #showFailure(failure: Failure): void {
    if (failure.kind === 'refused') {
      this._refusals = new Map(failure.problems.map((p) => [p.sku, p]));
    }
    // A refused email is marked at its field; any other failure is said above the button.
    this._emailError = failure.kind === 'invalid' && failure.paths.includes('email');
    this._error = this._emailError ? '' : this.#t(failureText[failure.kind]);
    if (this._emailError) this.#focusLater('#email');
    emit(this, 'stripe-cart:error', { kind: failure.kind, message: failure.message });
  }

  #fix(sku: string, fix: LineFix): void {
    if (fix.type === 'remove') this.remove(sku);
    else this.setQuantity(sku, fix.quantity);
    if (this._refusals.size === 0 && this._error === this.#t('refused')) this._error = '';
    this.#focusLater('h2');
  }

  // ---- coming back from Stripe ----

  #handleReturn(shop: ShopApi): void {
    const address = readReturn(location.href);
    const returned: CheckoutReturn | undefined = address ?? history.state?.stripeCart;
    if (!returned) return;
    const { orderId } = returned;
    const known = isOrderId(orderId);
    if (address) this.#keep(known && address.outcome === 'success' ? address : undefined);
    if (returned.outcome === 'cancel') {
      this._notice = this.#t('cancelled');
      // Gives the checkout's units back now rather than when Stripe expires it; the shopper
      // has nothing to wait for, so a failure stays quiet (the expiry still comes, and Pay
      // meanwhile goes back to that page).
      if (known)
        shop.cancelOrder(orderId).then(
          ({ status }) => {
            this.#forgetPay(orderId);
            // Paid meanwhile (another tab on the same Stripe page): shown as a success is.
            if (status === 'paid' || status === 'pending') {
              this._notice = '';
              this.#follow(shop, orderId);
            }
          },
          () => {},
        );
    } else if (known) {
      if (address) this.#forgetPay(orderId);
      // The cart keeps its lines until the server has the order (see the follower).
      this.#follow(shop, orderId, returned.sessionId);
    } else {
      this._notice = this.#t('orderUnknown');
    }
    this.open();
    // The panel opens with it already shown: said too, as focus goes to the title.
    this.#announce(this._notice);
  }

  /** Shows the order and its live status, as back from a payment. */
  #follow(shop: ShopApi, orderId: string, sessionId?: string): void {
    this.#follower.order = { id: orderId, sessionId, view: null };
    this.#follower.follow(shop, orderMarks(safeStorage(), this.#key));
  }

  /**
   * The last Pay is over once its order is back from Stripe: the next one starts anew.
   * Another order's return (from a page the last Pay replaced, say) leaves it.
   */
  #forgetPay(orderId: string): void {
    if (loadCart(safeStorage(), this.#key).checkout?.order === orderId) this.#persist(false, null);
  }

  /**
   * Keeps the order being followed in this tab's history entry (a reload while the payment
   * is confirming shows it again), until it ends or is dismissed; and the address without
   * the return's parameters.
   */
  #keep(order?: CheckoutReturn): void {
    history.replaceState(
      { ...history.state, stripeCart: order && { ...order, shop: this.#key } },
      '',
      withoutReturnParams(location.href),
    );
  }

  // ---- rendering ----

  get #dialog(): HTMLDialogElement | null {
    return this.renderRoot?.querySelector('dialog') ?? null;
  }

  get #currentLocale(): string {
    return resolveLocale(this, this.locale);
  }

  get #t(): Translate {
    const locale = this.#currentLocale;
    return translator(messagesFor(locale, this.messages), locale);
  }

  #money = (amount: number, currency: string) => formatMoney(amount, currency, this.#currentLocale);

  #afterClose(): void {
    if (!this._open) return;
    const target = this.#returnFocus?.isConnected
      ? this.#returnFocus
      : this.renderRoot.querySelector<HTMLElement>('.trigger');
    this.#returnFocus = null;
    this._open = false;
    this.removeAttribute('open');
    this._announcement = '';
    target?.focus();
    const order = this.#follower.order;
    if (order?.view && isFinal(order.view.status)) this.#follower.order = null;
    this._notice = '';
  }

  /**
   * Focuses `selector` once rendered: the email field then reads out with its error (tied to
   * it), and the title stands in for a removed line's controls.
   */
  #focusLater(selector: string): void {
    this.updateComplete.then(() => {
      const target = this.renderRoot.querySelector<HTMLElement>(selector);
      // Focused already (Enter in the email field): focused again, so it is read again.
      target?.blur();
      target?.focus();
    });
  }

  #onDialogKeydown = (event: KeyboardEvent) => {
    const panel = this.renderRoot.querySelector<HTMLElement>('.panel');
    if (panel) trapTab(event, panel, this.renderRoot as ShadowRoot);
  };

  /** Where the last press began: a drag from the panel that ends on the backdrop is no click on it. */
  #pressed: EventTarget | null = null;

  #onDialogClick = (event: MouseEvent) => {
    // Clicks on the backdrop land on the <dialog> itself; the panel covers the rest.
    if (event.target === this.#dialog && this.#pressed === event.target) this.close();
  };

  protected override render() {
    const locale = this.#currentLocale;
    const messages = messagesFor(locale, this.messages);
    const t = translator(messages, locale);
    const lang = textLanguage(locale, this.messages) ?? nothing;
    const count = itemCount(this._lines);
    const open = this._open;
    const order = this.#follower.order;
    // The name is the label as shown (slotted or not) and a hidden count: no aria-label,
    // which would hide a label the site put in the slot (WCAG 2.5.3, label in name).
    // The site's own label (slotted) is in the page's language: only the widget's are marked.
    return html`<button class="trigger" part="button" type="button" aria-haspopup="dialog"
        @click=${() => this.open()}>
        ${cartIcon}<slot><span lang=${lang}>${t('cart')}</span></slot><span class="sr" lang=${lang}>${t(pluralKey(locale, count, messages), { count })}</span>
        <span class="badge" part="badge" ?hidden=${count === 0} aria-hidden="true">${count.toLocaleString(locale)}</span>
      </button>
      <div class="sr" role="status" aria-live="polite" lang=${lang}>${open ? '' : this._announcement}</div>
      <dialog part="dialog" aria-labelledby="title" lang=${lang} @keydown=${this.#onDialogKeydown}
        @click=${this.#onDialogClick} @pointerdown=${(e: Event) => {
          this.#pressed = e.target;
        }}>
        <div class="panel">
          <header part="header">
            <h2 id="title" tabindex="-1">${order ? t('orderTitle') : t('title')}</h2>
            <button class="close" part="close" type="button" aria-label=${t('close')}
              @click=${() => this.close()}>&times;</button>
          </header>
          <div class="sr" role="status" aria-live="polite">${open ? this._announcement : ''}</div>
          ${
            order
              ? html`<div class="body" part="body">
                  ${this._offline ? html`<p class="note" part="notice">${t('offline')}</p>` : ''}
                  ${orderView(
                    t,
                    this.#money,
                    locale,
                    order.view,
                    order.id,
                    () => {
                      // Done with the order: stop following it (a bank debit can take days to settle).
                      this.#follower.stop();
                      this.#follower.order = null;
                      this.#keep();
                      this.close();
                    },
                    this.#nameLang,
                  )}
                </div>`
              : this.#renderCart()
          }
        </div>
      </dialog>`;
  }

  #renderCart() {
    return cartView(
      this.#t,
      this.#money,
      this._lines,
      this.#stock,
      this._refusals,
      this._notice,
      this._offline,
      this._email,
      this._emailError,
      this._error,
      this._busy,
      {
        setQuantity: (sku: string, quantity: number) => this.setQuantity(sku, quantity),
        remove: (sku: string) => {
          this.remove(sku);
          this.#focusLater('h2');
        },
        fix: (sku: string, fix: LineFix) => this.#fix(sku, fix),
        checkout: (event: Event) => this.#checkout(event),
        email: (value: string) => {
          this._email = value;
          this._emailError = false;
          this.#persist();
        },
      },
      this.#nameLang,
    );
  }

  get #nameLang() {
    return pageLang(this) ?? nothing;
  }
}
