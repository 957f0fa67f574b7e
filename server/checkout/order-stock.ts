/**
 * An order's units on each product's stream, line by line: given back when the order ends
 * unpaid (and to late payments short of them first), taken back (or kept, if still held)
 * when it was paid after that (a late payment). Each product decides
 * once per order (a line with nothing to do appends nothing), so every call here is safe
 * to make again after a crash, on a webhook redelivery, from a sweep, and from any number
 * of processes at once.
 */

import type { ProductCommand } from '../catalog/product';
import type { Products } from '../catalog/products';
import { loadStream } from '../command-handler';
import type { EventOf, ProductEvent } from '../domain/events';
import { orderStream } from '../domain/events';
import type { EventMetadata, EventStore } from '../eventstore/port';
import { orderDecider, releasesStock } from './order';

type Cart = EventOf<'CartValidated'>['data'];
type Line = Cart['lines'][number];
type Reason = EventOf<'StockReleased'>['data']['reason'];

/** What caused the stock to move: a command's id, and the Stripe event's where one did. */
export type Cause = { causationId: string } & Pick<EventMetadata, 'stripeEventId'>;

/** Runs one product command per line of the cart; returns the events appended. */
async function perLine(
  products: Products,
  cart: Cart,
  cause: Cause,
  command: (line: Line) => ProductCommand,
): Promise<ProductEvent[]> {
  const metadata = { correlationId: cart.orderId, ...cause };
  const appended: ProductEvent[] = [];
  for (const line of cart.lines) {
    appended.push(...(await products.execute(command(line), metadata)).events);
  }
  return appended;
}

/**
 * Gives the order's held units back, and with `fillShortfalls` hands them on to late
 * payments still short of them in the same decision; returns the events appended: none when
 * no line held anything.
 */
export function releaseOrderStock(
  products: Products,
  cart: Cart,
  reason: Reason,
  at: string,
  cause: Cause,
  fillShortfalls: boolean,
): Promise<ProductEvent[]> {
  const { orderId } = cart;
  return perLine(products, cart, cause, ({ sku }) => ({
    type: 'ReleaseStock',
    sku,
    orderId,
    reason,
    at,
    fillShortfalls,
  }));
}

/**
 * Takes a late payment's units back from stock (or records what is missing), or keeps them
 * where its hold has not been released yet: the order was paid after it ended (a race with
 * the sweep or an expiry), so it is a sale all the same. Returns the events appended: none when every line was already decided.
 */
export function retakeOrderStock(
  products: Products,
  cart: Cart,
  at: string,
  cause: Cause,
): Promise<ProductEvent[]> {
  const { orderId } = cart;
  return perLine(products, cart, cause, ({ sku, quantity }) => ({
    type: 'RetakeStock',
    sku,
    orderId,
    quantity,
    at,
  }));
}

/**
 * Gives an ended order's units back, then takes them back if the order was paid meanwhile.
 * An order not ended when read keeps its units: a paid one's are sold, late or not (a
 * failed request for the same checkout must not give them away). Units given back go to
 * other late payments' shortfalls in the release's own decision, so no new shopper comes
 * between. A payment that lands after the read is settled on each product in the order
 * the product hears of it: a re-take that comes first keeps the units still held
 * (`HoldKept`), and this release then gives nothing; one that comes after finds them given
 * back, and takes them again if no older shortfall took them first. The order is read again
 * after the release, so a payment recorded meanwhile is served at once, even if its own
 * re-take was cut short.
 * Nothing is oversold either way.
 */
export async function releaseEndedOrderStock(
  store: EventStore,
  products: Products,
  cart: Cart,
  reason: Reason,
  at: string,
  cause: Cause,
): Promise<void> {
  const before = await loadStream(store, orderStream(cart.orderId), orderDecider);
  if (!releasesStock(before.state.status)) return;
  const released = await releaseOrderStock(products, cart, reason, at, cause, true);
  if (released.length === 0) return;
  const { state } = await loadStream(store, orderStream(cart.orderId), orderDecider, before);
  if (state.late) await retakeOrderStock(products, cart, at, cause);
}
