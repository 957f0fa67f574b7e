/**
 * Takes a late payment's units back from stock, line by line: the order was paid after its
 * hold had been released (a race with the sweep), so it is a sale all the same. Each
 * product decides once per order whether the units are still there (`RetakeStock`, on the
 * revision it read), so this is safe to run again after a crash, on a webhook redelivery,
 * from the sweep's repair pass, and from any number of processes at once.
 */
import type { Products } from '../catalog/products';
import type { EventOf, ProductEvent } from '../domain/events';

type Cart = EventOf<'CartValidated'>['data'];

/** Returns the events appended: none when every line was already decided. */
export async function retakeOrderStock(
  products: Products,
  cart: Cart,
  at: string,
  causationId: string,
): Promise<ProductEvent[]> {
  const metadata = { correlationId: cart.orderId, causationId };
  const appended: ProductEvent[] = [];
  for (const line of cart.lines) {
    const handled = await products.execute(
      { type: 'RetakeStock', sku: line.sku, orderId: cart.orderId, quantity: line.quantity, at },
      metadata,
    );
    appended.push(...handled.events);
  }
  return appended;
}
