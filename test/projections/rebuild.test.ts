import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getOrderView } from '../../projections/queries';
import { ReadModelsInUseError, rebuildReadModels } from '../../projections/rebuild';
import { startProjectionRunner } from '../../projections/runner';
import { MalformedEventError } from '../../server/domain/event-check';
import type { EventStore } from '../../server/eventstore/port';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { cartValidated } from './builders';
import { dumpReadModels } from './dump';
import { generateHistory } from './history';

const dir = mkdtempSync(join(tmpdir(), 'projections-rebuild-'));
let store: SqliteEventStore;
let totalEvents = 0;
let runnerDump: Record<string, string[]>;

/** The same store seen only through the port, so the rebuild takes its generic (subscription) path. */
const portOnly = (s: EventStore): EventStore => ({
  append: (...args) => s.append(...args),
  readStream: (...args) => s.readStream(...args),
  readAll: (...args) => s.readAll(...args),
  subscribeToAll: (...args) => s.subscribeToAll(...args),
  close: () => s.close(),
});

beforeAll(async () => {
  store = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
  totalEvents = (await generateHistory(store, { orders: 2_000, seed: 11 })).events;
  const path = join(dir, 'runner.sqlite');
  const runner = await startProjectionRunner({ store, dbPath: path, batchSize: 700 });
  await runner.caughtUp;
  await runner.close();
  runnerDump = dumpReadModels(path);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rebuildReadModels', () => {
  it('gives the same tables as a runner catching up, from the store file or through the port', async () => {
    const direct = join(dir, 'direct.sqlite');
    const result = await rebuildReadModels({ store, dbPath: direct });
    expect(result.events).toBe(totalEvents);
    expect(dumpReadModels(direct)).toEqual(runnerDump);

    const generic = join(dir, 'generic.sqlite');
    await rebuildReadModels({ store: portOnly(store), dbPath: generic });
    expect(dumpReadModels(generic)).toEqual(runnerDump);
  });

  it('gives the same tables when rows leave a small cache and come back', async () => {
    const path = join(dir, 'small-cache.sqlite');
    await rebuildReadModels({ store, dbPath: path, cacheSize: 50 });
    expect(dumpReadModels(path)).toEqual(runnerDump);
  });

  it('replaces an existing file and leaves a checkpoint a live runner resumes from', async () => {
    const path = join(dir, 'replaced.sqlite');
    const first = await startProjectionRunner({ store, dbPath: path });
    await first.caughtUp;
    await first.close();
    await rebuildReadModels({ store, dbPath: path });
    expect(dumpReadModels(path)).toEqual(runnerDump);
    expect(existsSync(`${path}-wal`)).toBe(false);

    const runner = await startProjectionRunner({ store, dbPath: path });
    try {
      await runner.caughtUp;
      const orderId = '00000000-0000-4000-8000-0000000e0b11';
      const seen = new Promise<void>((resolve) =>
        runner.onChange((change) => {
          if (change.orderIds.includes(orderId)) resolve();
        }),
      );
      const cart = cartValidated([{ sku: 'sku-000', quantity: 1 }], orderId, '9T12:00:00');
      await store.append(`order-${orderId}`, [{ id: crypto.randomUUID(), ...cart }], {
        expectedRevision: 'no_stream',
      });
      await seen;
      expect(getOrderView(runner.db, orderId)?.status).toBe('validated');
      // Only the new event was applied on top of the rebuilt rows.
      expect(runner.db.prepare('SELECT events FROM checkpoint').pluck().get()).toBe(
        totalEvents + 1,
      );
    } finally {
      await runner.close();
    }
  });

  it('refuses to replace a file another process has open before projecting anything, and leaves it as it was', async () => {
    const path = join(dir, 'in-use.sqlite');
    const runner = await startProjectionRunner({ store, dbPath: path });
    try {
      await runner.caughtUp;
      const before = dumpReadModels(path);
      const onProgress = vi.fn();
      await expect(rebuildReadModels({ store, dbPath: path, onProgress })).rejects.toBeInstanceOf(
        ReadModelsInUseError,
      );
      expect(onProgress).not.toHaveBeenCalled();
      expect(dumpReadModels(path)).toEqual(before);
    } finally {
      await runner.close();
    }
  });

  it('removes the half-written files of a rebuild whose process is gone', async () => {
    const path = join(dir, 'abandoned.sqlite');
    // No process has pid 2^22 + 1 (above Linux's pid_max default).
    const abandoned = [`${path}.rebuild-4194305`, `${path}.rebuild-4194305-stock`];
    for (const file of abandoned) writeFileSync(file, 'half written');
    const { events } = await rebuildReadModels({ store, dbPath: path });
    for (const file of abandoned) expect(existsSync(file)).toBe(false);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT events FROM checkpoint').pluck().get()).toBe(events);
    db.close();
  });

  it.each([
    ['stock', 'product-sku-000', 'StockReserved'],
    ['orders', `order-${crypto.randomUUID()}`, 'CheckoutStarted'],
  ])(
    'fails with MalformedEventError on a malformed event read by the %s group, leaving the old read models and no files',
    async (_group, stream, type) => {
      const broken = SqliteEventStore.open(join(dir, `broken-${_group}.sqlite`), {
        synchronous: 'NORMAL',
      });
      try {
        await generateHistory(broken, { orders: 50, seed: 3 });
        const path = join(dir, `broken-${_group}-readmodels.sqlite`);
        await rebuildReadModels({ store: broken, dbPath: path });
        const before = dumpReadModels(path);
        await broken.append(
          stream,
          [{ id: crypto.randomUUID(), type, data: { quantity: 'two' } }],
          {
            expectedRevision: 'any',
          },
        );
        const error = await rebuildReadModels({ store: broken, dbPath: path }).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(MalformedEventError);
        expect((error as Error).message).toMatch(
          new RegExp(`\\(${type} in ${stream}\\) does not match its schema`),
        );
        expect(dumpReadModels(path)).toEqual(before);
        expect(readdirSync(dir).filter((name) => name.includes('.rebuild-'))).toEqual([]);
      } finally {
        await broken.close();
      }
    },
  );
});
