/**
 * A decided event that its own schema refuses is never appended: once stored it would stop
 * every later read of its stream and every projection at its position. Both append paths
 * (handleCommand and the product batches) check before they write.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Products } from '../../server/catalog/products';
import { handleCommand } from '../../server/command-handler';
import type { Decider } from '../../server/domain/decider';
import { UnstorableEventError } from '../../server/domain/event-check';
import type { DomainEvent } from '../../server/domain/events';
import { SqliteEventStore } from '../../server/eventstore/sqlite';

const at = '2026-11-27T08:00:00.000Z';
const metadata = { correlationId: 'test', causationId: 'test' };

let dir: string;
let store: SqliteEventStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stripe-cart-unstorable-'));
  store = SqliteEventStore.open(join(dir, 'events.sqlite'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('handleCommand refuses to append an event its schema refuses, naming it', async () => {
  // A decider with a bug: a stock adjustment of half a unit.
  const buggy: Decider<null, number, DomainEvent> = {
    initialState: () => null,
    evolve: (state) => state,
    decide: (delta) => [
      { type: 'StockAdjusted', data: { sku: 'MUG', delta, reason: 'count', at } },
    ],
  };
  await expect(handleCommand(store, 'product-MUG', buggy, 0.5, { metadata })).rejects.toThrow(
    new UnstorableEventError('product-MUG', 'StockAdjusted', {
      issues: [{ path: ['delta'], message: 'Invalid input: expected int, received number' }],
    }).message,
  );
  expect(await store.readAll()).toEqual([]);
  await expect(handleCommand(store, 'product-MUG', buggy, 2, { metadata })).resolves.toMatchObject({
    events: [{ type: 'StockAdjusted' }],
  });
});

it('a product batch holding such an event is refused whole and leaves the product as stored', async () => {
  const products = new Products(store);
  const product = {
    sku: 'MUG',
    name: 'Mug',
    description: '',
    image: '',
    unitAmount: 900,
    currency: 'eur',
  };
  await products.execute({ type: 'ListProduct', product, stock: 5, at }, metadata);
  const reserve = (quantity: number) =>
    products.execute(
      { type: 'ReserveStock', sku: 'MUG', orderId: randomUUID(), quantity, expiresAt: at, at },
      metadata,
    );
  const outcomes = await Promise.allSettled([reserve(1), reserve(1.5)]);
  for (const outcome of outcomes) {
    expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(UnstorableEventError) });
  }
  expect((await store.readAll()).map((e) => e.type)).toEqual(['ProductListed', 'StockAdjusted']);
  expect((await products.state('MUG')).held).toBe(0);
  await expect(reserve(5)).resolves.toMatchObject({ events: [{ type: 'StockReserved' }] });
});
