/**
 * One live catalog per API, shared by every element on the page: `<stripe-cart>` and all
 * `<stripe-cart-add>` buttons read names, prices and stock from a single subscription.
 */
import type { CatalogProduct, ShopApi, Subscription } from './api';
import { createShopApi } from './api';

export interface CatalogSnapshot {
  /** Null until the server first answers. */
  products: ReadonlyMap<string, CatalogProduct> | null;
  offline: boolean;
}

type Listener = (snapshot: CatalogSnapshot) => void;

export class CatalogFeed {
  readonly api: ShopApi;
  snapshot: CatalogSnapshot = { products: null, offline: false };
  readonly #listeners = new Set<Listener>();
  #subscription: Subscription | undefined;
  #warned = false;

  constructor(api: ShopApi) {
    this.api = api;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    listener(this.snapshot);
    this.#subscription ??= this.api.watchCatalog({
      onData: (list) =>
        this.#publish({ products: new Map(list.map((p) => [p.sku, p])), offline: false }),
      onOffline: () => this.#offline(),
      onError: () => this.#offline(),
    });
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        this.#subscription?.unsubscribe();
        this.#subscription = undefined;
      }
    };
  }

  #offline(): void {
    // Never reached: the browser hides why, and the usual reason is the page's origin missing
    // from the server's ALLOWED_ORIGINS. Said once per API.
    if (!this.snapshot.products && !this.#warned) {
      this.#warned = true;
      console.warn(
        `<stripe-cart>: cannot reach ${this.api.origin}: is it up, with ${location.origin} in its ALLOWED_ORIGINS?`,
      );
    }
    this.#publish({ ...this.snapshot, offline: true });
  }

  #publish(snapshot: CatalogSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
  }
}

const feeds = new Map<string, CatalogFeed>();

/** Throws for an api that is no http(s) URL ("localhost:3000" reads as a scheme). */
export function catalogFeed(api: string): CatalogFeed {
  const key = new URL(api, location.href).href;
  if (!/^https?:/.test(key)) throw TypeError(api);
  let feed = feeds.get(key);
  if (!feed) {
    feed = new CatalogFeed(createShopApi(key));
    feeds.set(key, feed);
  }
  return feed;
}
