/**
 * Gives an order's held units back, line by line. Releasing is idempotent per product
 * (a line with no hold appends nothing), so it is safe to call again after a crash,
 * a webhook redelivery or a sweep.
 */
import type { Products } from '../catalog/products';
import type { EventOf } from '../domain/events';

type Cart = EventOf<'CartValidated'>['data'];
type Reason = EventOf<'StockReleased'>['data']['reason'];

export async function releaseOrderStock(
  products: Products,
  cart: Cart,
  reason: Reason,
  at: string,
  causationId: string,
): Promise<void> {
  const metadata = { correlationId: cart.orderId, causationId };
  for (const line of cart.lines) {
    await products.execute(
      { type: 'ReleaseStock', sku: line.sku, orderId: cart.orderId, reason, at },
      metadata,
    );
  }
}
