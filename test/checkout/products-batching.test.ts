/**
 * Commands on one product that arrive together are decided in order and appended as one
 * batch (server/catalog/products.ts): never more stock sold than there is, one append per
 * batch, and a failed or lost-race append leaves the product exactly as stored.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Products } from '../../server/catalog/products';
import { DomainError } from '../../server/domain/decider';
import { productStream } from '../../server/domain/events';
import type { EventStore } from '../../server/eventstore/port';
import { SqliteEventStore } from '../../server/eventstore/sqlite';

const SKU = 'BATCH-MUG';
const at = '2026-11-27T05:00:00.000Z';
const metadata = { correlationId: 'test', causationId: 'test' };

let dir: string;
let store: SqliteEventStore;
let appends: number;
/** The store as Products sees it, counting appends; `failNext` makes the next append fail. */
let counted: EventStore & { failNext?: Error };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stripe-cart-batching-'));
  store = SqliteEventStore.open(join(dir, 'events.sqlite'));
  appends = 0;
  counted = {
    append: (stream, events, options) => {
      appends += 1;
      const failure = counted.failNext;
      counted.failNext = undefined;
      return failure ? Promise.reject(failure) : store.append(stream, events, options);
    },
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    close: () => store.close(),
  };
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function listed(products: Products, stock: number): Promise<void> {
  const product = {
    sku: SKU,
    name: 'Mug',
    description: 'A mug',
    image: '/mug.svg',
    unitAmount: 900,
    currency: 'eur',
  };
  await products.execute({ type: 'ListProduct', product, stock, at }, metadata);
}

const reserve = (products: Products, quantity = 1, orderId = randomUUID()) =>
  products.execute(
    { type: 'ReserveStock', sku: SKU, orderId, quantity, expiresAt: at, at },
    metadata,
  );

async function storedReservations(): Promise<string[]> {
  const events = await store.readStream(productStream(SKU));
  return events
    .filter((e) => e.type === 'StockReserved')
    .map((e) => (e.data as { orderId: string }).orderId);
}

describe('Products: commands on one sku, batched', () => {
  it('sells exactly the stock to 40 shoppers at once, in one append per batch', async () => {
    const products = new Products(counted);
    await listed(products, 25);
    appends = 0;
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => reserve(products)));
    const sold = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(sold).toHaveLength(25);
    expect(refused).toHaveLength(15);
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(DomainError);
      expect((reason as DomainError).code).toBe('sold_out');
    }
    expect(await storedReservations()).toHaveLength(25);
    // All 40 arrive before the sku's turn comes, so they are decided and appended together.
    expect(appends).toBe(1);
    expect((await products.state(SKU)).held).toBe(25);
  });

  it('decides in arrival order: a later, smaller request still fits', async () => {
    const products = new Products(counted);
    await listed(products, 3);
    const outcomes = await Promise.allSettled([
      reserve(products, 2),
      reserve(products, 2),
      reserve(products, 1),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = (outcomes[1] as PromiseRejectedResult).reason as DomainError;
    expect([refused.code, (refused.details as { available: number }).available]).toEqual([
      'insufficient_stock',
      1,
    ]);
  });

  it('reserves an order once when it asks twice in one batch', async () => {
    const products = new Products(counted);
    await listed(products, 10);
    const orderId = randomUUID();
    const [first, second] = await Promise.all([
      reserve(products, 2, orderId),
      reserve(products, 2, orderId),
    ]);
    expect(first.events.map((e) => e.type)).toEqual(['StockReserved']);
    expect(second.events).toEqual([]);
    expect(await storedReservations()).toEqual([orderId]);
  });

  it('leaves the product as stored when a batch cannot be appended', async () => {
    const products = new Products(counted);
    await listed(products, 5);
    await reserve(products);
    counted.failNext = new Error('disk full');
    const failed = await Promise.allSettled([reserve(products, 2), reserve(products, 2)]);
    expect(failed.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    // Nothing of the failed batch is held: 4 of 5 can still be reserved, not 0.
    const state = await products.state(SKU);
    expect([state.held, state.holds.size]).toEqual([1, 1]);
    await expect(reserve(products, 4)).resolves.toMatchObject({
      events: [{ type: 'StockReserved' }],
    });
    expect(await storedReservations()).toHaveLength(2);
  });

  it('never oversells across two processes racing for the same stock', async () => {
    // Two Products over one store stand for two server processes: each batch that loses the
    // race for the revision is decided again on the winner's events.
    const a = new Products(counted);
    const b = new Products(counted);
    await listed(a, 10);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) => reserve(i % 2 === 0 ? a : b)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    // The losing batch was decided again on the winner's events (sold out), not refused as a conflict.
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'sold_out' });
    }
    const reserved = await storedReservations();
    expect(reserved).toHaveLength(10);
    expect(new Set(reserved).size).toBe(10);
    const [stateA, stateB] = [await a.state(SKU), await b.state(SKU)];
    expect([stateA.held, stateB.held]).toEqual([10, 10]);
  });

  it('remembers no state for skus that do not exist, however many are asked for', async () => {
    const products = new Products(counted);
    await listed(products, 5);
    const made = Array.from({ length: 500 }, (_, i) => `MADE-UP-${i}`);
    const states = await products.states(made);
    expect([...states.values()].every((s) => s.details === null)).toBe(true);
    // The cache is private; its size is what a stream of junk carts would grow.
    const cache = (products as unknown as { cache: Map<string, unknown> }).cache;
    expect([...cache.keys()]).toEqual([SKU]);
  });
});
