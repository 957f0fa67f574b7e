/**
 * The bench shop: a catalog with plenty of stock, and orders put straight into the event
 * store exactly as `checkout.start` leaves them (CartValidated, a StockReserved per line,
 * CheckoutStarted), so a webhook run needs no thousands of checkouts first.
 */
import { randomUUID } from 'node:crypto';
import { newPaymentIntentId, newSessionId } from '../../../demo/sandbox/ids';
import type { CatalogEntry } from '../../../server/catalog/catalog-file';
import type { DomainEvent } from '../../../server/domain/events';
import { orderStream, productStream } from '../../../server/domain/events';
import { orderIdFor } from '../../../server/domain/ids';
import type { EventStore } from '../../../server/eventstore/port';

export const SHOP_ORIGIN = 'https://shop.example';
export const RETURN_URL = `${SHOP_ORIGIN}/cart`;

const NAMES = ['Mug', 'Tee', 'Poster', 'Cap', 'Tote', 'Notebook', 'Scarf', 'Pin'];

/** Eight products, so concurrent checkouts spread over several product streams as in a shop. */
export const benchCatalog: CatalogEntry[] = NAMES.map((name, i) => ({
  sku: `BENCH-${name.toUpperCase()}`,
  name: `${name} ${i + 1}`,
  description: `${name}, printed to order`,
  image: `/images/bench-${i}.svg`,
  unitAmount: 900 + i * 350,
  currency: 'eur',
  stock: 1_000_000,
}));

/** What a webhook for the order must carry to be accepted: its session, amount and currency. */
export interface SeededOrder {
  orderId: string;
  sessionId: string;
  paymentIntentId: string;
  email: string;
  amount: number;
  currency: string;
  expiresAt: number;
}

interface Seeder {
  emit(stream: string, event: DomainEvent, correlationId: string): Promise<void>;
  drain(): Promise<void>;
}

/** Appends with exact expected revisions, many in flight so the store group-commits them. */
function seeder(store: EventStore, pipeline = 2_000): Seeder {
  const revisions = new Map<string, bigint>();
  let inFlight: Promise<unknown>[] = [];
  const drain = async () => {
    const batch = inFlight;
    inFlight = [];
    await Promise.all(batch);
  };
  return {
    async emit(stream, event, correlationId) {
      const revision = revisions.get(stream);
      revisions.set(stream, (revision ?? -1n) + 1n);
      inFlight.push(
        store.append(
          stream,
          [
            {
              id: randomUUID(),
              type: event.type,
              data: event.data,
              metadata: { correlationId, causationId: correlationId },
            },
          ],
          { expectedRevision: revision ?? 'no_stream' },
        ),
      );
      if (inFlight.length >= pipeline) await drain();
    },
    drain,
  };
}

async function seedCatalog(s: Seeder, at: string): Promise<void> {
  for (const { stock, ...product } of benchCatalog) {
    const stream = productStream(product.sku);
    await s.emit(stream, { type: 'ProductListed', data: { ...product, at } }, product.sku);
    await s.emit(
      stream,
      { type: 'StockAdjusted', data: { sku: product.sku, delta: stock, reason: 'restock', at } },
      product.sku,
    );
  }
  await s.drain();
}

/** `count` open orders, each with a live Checkout Session, as if `checkout.start` had run. */
export async function seedOpenOrders(store: EventStore, count: number): Promise<SeededOrder[]> {
  const now = Date.now();
  const at = new Date(now).toISOString();
  const s = seeder(store);
  await seedCatalog(s, at);
  const orders: SeededOrder[] = [];
  const expiresAt = Math.floor(now / 1000) + 31 * 60;
  for (let n = 0; n < count; n++) {
    const checkoutId = randomUUID();
    const orderId = orderIdFor(checkoutId);
    const picked = [benchCatalog[n % 8]!, benchCatalog[(n * 3 + 1) % 8]!].slice(0, 1 + (n % 2));
    const lines = picked.map((p, i) => ({
      sku: p.sku,
      name: p.name,
      image: p.image,
      unitAmount: p.unitAmount,
      quantity: 1 + i,
      amount: p.unitAmount * (1 + i),
    }));
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    const order: SeededOrder = {
      orderId,
      sessionId: newSessionId(),
      paymentIntentId: newPaymentIntentId(),
      email: `shopper${n}@example.com`,
      amount: total,
      currency: 'eur',
      expiresAt,
    };
    const stream = orderStream(orderId);
    await s.emit(
      stream,
      {
        type: 'CartValidated',
        data: {
          orderId,
          checkoutId,
          lines,
          currency: 'eur',
          total,
          email: order.email,
          origin: SHOP_ORIGIN,
          returnUrl: RETURN_URL,
          at,
        },
      },
      orderId,
    );
    for (const line of lines) {
      await s.emit(
        productStream(line.sku),
        {
          type: 'StockReserved',
          data: {
            sku: line.sku,
            orderId,
            quantity: line.quantity,
            expiresAt: new Date(expiresAt * 1000).toISOString(),
            at,
          },
        },
        orderId,
      );
    }
    await s.emit(
      stream,
      {
        type: 'CheckoutStarted',
        data: {
          orderId,
          sessionId: order.sessionId,
          url: `http://127.0.0.1/pay/${order.sessionId}`,
          expiresAt: new Date(expiresAt * 1000).toISOString(),
          amount: total,
          currency: 'eur',
          at,
        },
      },
      orderId,
    );
    orders.push(order);
  }
  await s.drain();
  return orders;
}
