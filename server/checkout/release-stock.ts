/**
 * Gives an order's held units back, line by line. Releasing is idempotent per product
 * (a line with no hold appends nothing), so it is safe to call again after a crash,
 * a webhook redelivery or a sweep.
 */
import type { Products } from '../catalog/products';
import { loadStream } from '../command-handler';
import type { EventOf, ProductEvent } from '../domain/events';
import { orderStream } from '../domain/events';
import type { EventStore } from '../eventstore/port';
import { orderDecider } from './order';
import { retakeOrderStock } from './retake-stock';

type Cart = EventOf<'CartValidated'>['data'];
type Reason = EventOf<'StockReleased'>['data']['reason'];

/** Returns the events appended: none when no line held anything. */
export async function releaseOrderStock(
  products: Products,
  cart: Cart,
  reason: Reason,
  at: string,
  causationId: string,
): Promise<ProductEvent[]> {
  const metadata = { correlationId: cart.orderId, causationId };
  const released: ProductEvent[] = [];
  for (const line of cart.lines) {
    const handled = await products.execute(
      { type: 'ReleaseStock', sku: line.sku, orderId: cart.orderId, reason, at },
      metadata,
    );
    released.push(...handled.events);
  }
  return released;
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
}
