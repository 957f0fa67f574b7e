/**
 * The cart in localStorage, one entry per API origin, so two shops on one site keep two
 * carts and every tab of the site shares one.
 */
import type { CartLine } from './cart';
import { parseLines } from './cart';

export interface SavedCart {
  lines: CartLine[];
  email: string;
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
    const { lines, email } = value as Record<string, unknown>;
    return {
      lines: parseLines(lines),
      email: typeof email === 'string' ? email.slice(0, 254) : '',
    };
  } catch {
    return EMPTY;
  }
}

/** Calls back with the cart another tab saved; returns the unsubscribe function. */
export function onCartSaved(
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  key: string,
  listener: (cart: SavedCart) => void,
): () => void {
  const handle = (event: StorageEvent) => {
    if (event.key === key) listener(parseSaved(event.newValue));
  };
  target.addEventListener('storage', handle);
  return () => target.removeEventListener('storage', handle);
}

/** Reading `localStorage` itself throws where storage is forbidden (sandboxed iframes). */
export function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
