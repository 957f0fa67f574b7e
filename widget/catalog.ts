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

  constructor(api: ShopApi) {
    this.api = api;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    listener(this.snapshot);
    this.#subscription ??= this.api.watchCatalog({
      onData: (list) =>
        this.#publish({ products: new Map(list.map((p) => [p.sku, p])), offline: false }),
      onOffline: () => this.#publish({ ...this.snapshot, offline: true }),
      onError: () => this.#publish({ ...this.snapshot, offline: true }),
    });
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        this.#subscription?.unsubscribe();
        this.#subscription = undefined;
      }
    };
  }

  #publish(snapshot: CatalogSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
  }
}

const feeds = new Map<string, CatalogFeed>();

export function catalogFeed(api: string): CatalogFeed {
  const key = new URL(api, location.href).href;
  let feed = feeds.get(key);
  if (!feed) {
    feed = new CatalogFeed(createShopApi(key));
    feeds.set(key, feed);
  }
  return feed;
}
