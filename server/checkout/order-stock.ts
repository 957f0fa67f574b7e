/**
 * An order's units on each product's stream, line by line: given back when the order ends
 * unpaid (and to late payments short of them first), taken back when it was paid after
 * that (a late payment). Each product decides
 * once per order (a line with nothing to do appends nothing), so every call here is safe
 * to make again after a crash, on a webhook redelivery, from a sweep, and from any number
 * of processes at once.
 */

import type { ProductCommand } from '../catalog/product';
import type { Products } from '../catalog/products';
import { loadStream } from '../command-handler';
import type { EventOf, ProductEvent } from '../domain/events';
import { orderStream } from '../domain/events';
import type { EventStore } from '../eventstore/port';
import { orderDecider } from './order';

type Cart = EventOf<'CartValidated'>['data'];
type Line = Cart['lines'][number];
type Reason = EventOf<'StockReleased'>['data']['reason'];

/** Runs one product command per line of the cart; returns the events appended. */
async function perLine(
  products: Products,
  cart: Cart,
  causationId: string,
  command: (line: Line) => ProductCommand,
): Promise<ProductEvent[]> {
  const metadata = { correlationId: cart.orderId, causationId };
  const appended: ProductEvent[] = [];
  for (const line of cart.lines) {
    appended.push(...(await products.execute(command(line), metadata)).events);
  }
  return appended;
}

/** Gives the order's held units back; returns the events appended: none when no line held anything. */
export function releaseOrderStock(
  products: Products,
  cart: Cart,
  reason: Reason,
  at: string,
  causationId: string,
): Promise<ProductEvent[]> {
  const { orderId } = cart;
  return perLine(products, cart, causationId, ({ sku }) => ({
    type: 'ReleaseStock',
    sku,
    orderId,
    reason,
    at,
  }));
}

/**
 * Takes a late payment's units back from stock (or records what is missing): the order was
 * paid after its hold had been released (a race with the sweep), so it is a sale all the
 * same. Returns the events appended: none when every line was already decided.
 */
export function retakeOrderStock(
  products: Products,
  cart: Cart,
  at: string,
  causationId: string,
): Promise<ProductEvent[]> {
  const { orderId } = cart;
  return perLine(products, cart, causationId, ({ sku, quantity }) => ({
    type: 'RetakeStock',
    sku,
    orderId,
    quantity,
    at,
  }));
}

/**
 * Gives an ended order's units back, then takes them back if the order was paid meanwhile:
 * that late payment's re-take may have reached a product before this release did, found the
 * units still held and taken nothing, and this release then gave them away. The order is
 * read after the release, so it shows any payment whose re-take came first.
 */
export async function releaseEndedOrderStock(
  store: EventStore,
  products: Products,
  cart: Cart,
  reason: Reason,
  at: string,
  causationId: string,
): Promise<void> {
  const released = await releaseOrderStock(products, cart, reason, at, causationId);
  if (released.length === 0) return;
  const { state } = await loadStream(store, orderStream(cart.orderId), orderDecider);
  if (state.late) await retakeOrderStock(products, cart, at, causationId);
  else await fillShortfalls(products, cart, at, causationId);
}

/**
 * Hands the units an order gave back to late payments still short of them, oldest first,
 * before any new shopper can take them. Only after the order's own late payment, if any,
 * has taken them back: its re-take may have come while they were still held.
 */
export function fillShortfalls(
  products: Products,
  cart: Cart,
  at: string,
  causationId: string,
): Promise<ProductEvent[]> {
  return perLine(products, cart, causationId, ({ sku }) => ({ type: 'FillShortfalls', sku, at }));
}
