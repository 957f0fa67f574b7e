import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrderView } from '../../projections/queries';
import type { ReadModelChange } from '../../projections/runner';
import { startProjectionRunner } from '../../projections/runner';
import { startProjectionThread } from '../../projections/runner-thread';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { cartValidated, checkoutStarted, paymentCompleted } from './builders';
import { dumpReadModels } from './dump';
import { generateHistory } from './history';

const dir = mkdtempSync(join(tmpdir(), 'projections-thread-'));
let store: SqliteEventStore;

beforeAll(async () => {
  store = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
  await generateHistory(store, { orders: 1_000, seed: 11 });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sameThreadTables(name: string) {
  const runner = await startProjectionRunner({ store, dbPath: join(dir, name) });
  await runner.caughtUp;
  await runner.close();
  return dumpReadModels(join(dir, name));
}

async function payOrder(orderId: string): Promise<void> {
  const stream = `order-${orderId}`;
  const cart = cartValidated([{ sku: 'sku-000', quantity: 1 }], orderId, '9T10:00:00');
  const events = [
    cart,
    checkoutStarted(1500, orderId, '9T10:00:01'),
    paymentCompleted(1500, orderId, '9T10:01:00'),
  ];
  let revision: bigint | 'no_stream' = 'no_stream';
  for (const event of events) {
    const result = await store.append(stream, [{ id: crypto.randomUUID(), ...event }], {
      expectedRevision: revision,
    });
    revision = result.nextExpectedRevision;
  }
}

describe('projection runner in a worker thread', () => {
  it('catches up in a thread that then exits, follows live events in a fresh one, and announces each commit', async () => {
    const errors: unknown[] = [];
    const runner = await startProjectionThread({
      store,
      dbPath: join(dir, 'threaded.sqlite'),
      onError: (error) => errors.push(error),
      // Always the two threads, even this close behind.
      separateCatchUpAfter: 0,
    });
    try {
      await runner.caughtUp;
      expect(dumpReadModels(join(dir, 'threaded.sqlite'))).toEqual(
        await sameThreadTables('same-thread.sqlite'),
      );

      const orderId = '00000000-0000-4000-8000-0000000071ee';
      const changes: ReadModelChange[] = [];
      const paid = new Promise<void>((resolve) =>
        runner.onChange((change) => {
          changes.push(change);
          if (getOrderView(runner.db, orderId)?.status === 'paid') resolve();
        }),
      );
      await payOrder(orderId);
      await paid;
      expect(changes.flatMap((c) => c.orderIds)).toContain(orderId);
      expect(errors).toEqual([]);
    } finally {
      await runner.close();
    }
  });

  it('stops on a malformed stored event and says where it is, through caughtUp and onError', async () => {
    const bad = SqliteEventStore.open(join(dir, 'bad-events.sqlite'));
    const orderId = '00000000-0000-4000-8000-0000000000bd';
    const { position } = await bad.append(
      `order-${orderId}`,
      [{ id: crypto.randomUUID(), type: 'CartValidated', data: { orderId }, metadata: {} }],
      { expectedRevision: 'no_stream' },
    );
    const errors: unknown[] = [];
    const runner = await startProjectionThread({
      store: bad,
      dbPath: join(dir, 'bad.sqlite'),
      onError: (error) => errors.push(error),
    });
    try {
      await expect(runner.caughtUp).rejects.toThrow(
        `Event ${position} (CartValidated in order-${orderId})`,
      );
      expect(errors).toHaveLength(1);
    } finally {
      await runner.close();
      await bad.close();
    }
  });
});
