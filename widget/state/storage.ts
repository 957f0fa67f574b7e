/**
 * The cart in localStorage, one entry per API origin, so two shops on one site keep two
 * carts and every tab of the site shares one.
 */
import type { CartLine } from './cart';
import { parseLines } from './cart';
import { isOrderId } from './return';

export interface SavedCart {
  lines: CartLine[];
  email: string;
  /** The last Pay, in any tab, until its order is back from Stripe. */
  checkout?: SavedCheckout | undefined;
}

/**
 * A Pay's checkoutId, the cart it was for (`JSON.stringify([items, email])`) and, once the
 * server answered, its order. Pay pressed again on that cart, here or in another tab, sends
 * the same id, so the server answers with the same order, never a second one to pay; on a
 * changed cart, a new id that `replaces` it (and, if it got no answer, those it was to
 * replace), so the server ends those orders (or shows one, if it was paid meanwhile).
 */
export interface SavedCheckout {
  id: string;
  for: string;
  replaces?: string[] | undefined;
  order?: string | undefined;
}

const EMPTY: SavedCart = { lines: [], email: '' };

export const storageKey = (api: string) => `stripe-cart:v1:${new URL(api).origin}`;

/** Storage can be missing, full or forbidden (private modes, sandboxed iframes): the cart still works. */
export function loadCart(storage: Storage | undefined, key: string): SavedCart {
  try {
    return parseSaved(storage?.getItem(key) ?? null);
  } catch {
    return EMPTY;
  }
}

export function saveCart(storage: Storage | undefined, key: string, cart: SavedCart): void {
  try {
    storage?.setItem(key, JSON.stringify(cart));
  } catch {
    // Quota or privacy settings: this tab keeps its cart in memory.
  }
}

export function parseSaved(raw: string | null): SavedCart {
  if (!raw) return EMPTY;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return EMPTY;
    const { lines, email, checkout } = value as Record<string, unknown>;
    return {
      lines: parseLines(lines),
      email: typeof email === 'string' ? email.slice(0, 254) : '',
      ...(isCheckout(checkout) && { checkout }),
    };
  } catch {
    return EMPTY;
  }
}

function isCheckout(value: unknown): value is SavedCheckout {
  const { id, for: cart, replaces, order } = (value ?? {}) as Record<string, unknown>;
  const isId = (id: unknown) => typeof id === 'string' && isOrderId(id);
  return (
    isId(id) &&
    typeof cart === 'string' &&
    (replaces === undefined || (Array.isArray(replaces) && replaces.every(isId))) &&
    (order === undefined || isId(order))
  );
}

/** Same-window news of a save: browsers fire `storage` only in the other tabs. */
const SAVED = 'stripe-cart:saved';

interface SavedNews {
  key: string;
  cart: SavedCart;
  sender: unknown;
}

/** Tells the other carts of this window (a header's and a menu's) what `sender` saved. */
export function announceSaved(
  target: Pick<Window, 'dispatchEvent'>,
  key: string,
  cart: SavedCart,
  sender: unknown,
): void {
  target.dispatchEvent(new CustomEvent<SavedNews>(SAVED, { detail: { key, cart, sender } }));
}

/**
 * Calls back with the cart another tab, or another cart of this window than `self`, saved;
 * returns the unsubscribe function.
 */
export function onCartSaved(
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  key: string,
  listener: (cart: SavedCart) => void,
  self?: unknown,
): () => void {
  const handle = (event: Event) => {
    if (event instanceof CustomEvent) {
      const news = event.detail as SavedNews;
      if (news.key === key && news.sender !== self) listener(news.cart);
    } else if ((event as StorageEvent).key === key) {
      listener(parseSaved((event as StorageEvent).newValue));
    }
  };
  target.addEventListener('storage', handle);
  target.addEventListener(SAVED, handle);
  return () => {
    target.removeEventListener('storage', handle);
    target.removeEventListener(SAVED, handle);
  };
}

/** Where storage is missing, the marks last as long as the page. */
let unsavedMarks: string[] = [];

/**
 * What this browser has done about its orders, as marks such as `out:<orderId>` (its units
 * left the cart) and `paid:<orderId>` (`stripe-cart:paid` was sent for it): the latest 50,
 * in localStorage under the cart's key, so that a page showing an order again, after a
 * reload, in another tab or from Stripe's page reached by Back, repeats neither.
 */
export function orderMarks(storage: Storage | undefined, key: string) {
  const marksKey = `${key}:orders`;
  const read = (): string[] => {
    try {
      const marks: unknown = JSON.parse(storage?.getItem(marksKey) ?? '0');
      if (Array.isArray(marks)) return marks;
    } catch {}
    return unsavedMarks;
  };
  return {
    has: (mark: string) => read().includes(mark),
    set(mark: string, on: boolean): void {
      unsavedMarks = [...(on ? [mark] : []), ...read().filter((m) => m !== mark)].slice(0, 50);
      try {
        storage?.setItem(marksKey, JSON.stringify(unsavedMarks));
      } catch {}
    },
  };
}

export type OrderMarks = ReturnType<typeof orderMarks>;

/**
 * Where storage is forbidden the page's memory stands in, shared by its carts: Pay pressed
 * again after Back from Stripe (the page kept by the back/forward cache) still finds its
 * last Pay, and gets the same order rather than a second one to pay. Its keys are its own
 * properties, as localStorage's are, so `Object.keys` lists the saved carts.
 */
const inMemory: Storage = Object.create({
  getItem(this: Record<string, string>, key: string) {
    return Object.hasOwn(this, key) ? this[key] : null;
  },
  setItem(this: Record<string, string>, key: string, value: string) {
    this[key] = value;
  },
});

/** Reading `localStorage` itself throws where storage is forbidden (sandboxed iframes). */
export function safeStorage(): Storage {
  try {
    return window.localStorage;
  } catch {
    return inMemory;
  }
}
