/**
 * Read models kept while the event store under them changed: `events.sqlite` restored from
 * an older backup (the CLI itself advises restoring one when the store cannot be read), or
 * DATA_DIR's read models facing another store. Resuming after the checkpoint would skip the
 * store's new events and keep the ones it lost, silently; the runner refuses instead, in one
 * line saying to rebuild, and the rebuild's figures match the events.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { stockReport } from '../../projections/queries';
import { rebuildReadModels } from '../../projections/rebuild';
import { startProjectionRunner } from '../../projections/runner';
import { startProjectionThread } from '../../projections/runner-thread';
import { ConfigError } from '../../server/config';
import type { DomainEvent } from '../../server/domain/events';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { adjusted, listed } from './builders';

const dir = mkdtempSync(join(tmpdir(), 'restored-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function append(store: SqliteEventStore, event: DomainEvent) {
  await store.append(
    'product-mug',
    [{ id: crypto.randomUUID(), type: event.type, data: event.data }],
    {
      expectedRevision: 'any',
    },
  );
}

async function onHand(store: SqliteEventStore, dbPath: string) {
  const runner = await startProjectionRunner({ store, dbPath });
  try {
    await runner.caughtUp;
    return stockReport(runner.db).products.map((p) => p.onHand);
  } finally {
    await runner.close();
  }
}

/**
 * A store with a backup of its first two events (on hand 10), read models made after two
 * more (on hand 22), then the backup restored and `after` appended to it.
 */
async function restored(name: string, after: number[]) {
  const events = join(dir, `${name}.events.sqlite`);
  const backup = join(dir, `${name}.backup.sqlite`);
  const readModels = join(dir, `${name}.readmodels.sqlite`);
  let store = SqliteEventStore.open(events, { synchronous: 'NORMAL' });
  await append(store, listed('mug'));
  await append(store, adjusted('mug', 10));
  await store.close();
  copyFileSync(events, backup);
  store = SqliteEventStore.open(events, { synchronous: 'NORMAL' });
  await append(store, adjusted('mug', 5));
  await append(store, adjusted('mug', 7));
  expect(await onHand(store, readModels)).toEqual([22]);
  await store.close();

  copyFileSync(backup, events);
  store = SqliteEventStore.open(events, { synchronous: 'NORMAL' });
  for (const delta of after) await append(store, adjusted('mug', delta));
  return { store, readModels };
}

const refusal =
  /readmodels\.sqlite holds read models of events this event store does not have .*npm run -s projections -- rebuild/;

describe('read models over a store restored from an older backup', () => {
  it('are refused, saying to rebuild, when the store ends before their checkpoint', async () => {
    const { store, readModels } = await restored('shorter', [1]);
    try {
      const refused = await onHand(store, readModels).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConfigError);
      expect(String(refused)).toMatch(refusal);
      expect(String(refused)).not.toContain('\n');
      // The server's own runner (in a thread on the embedded store) refuses as well.
      await expect(startProjectionThread({ store, dbPath: readModels })).rejects.toThrow(refusal);

      await rebuildReadModels({ store, dbPath: readModels });
      expect(await onHand(store, readModels)).toEqual([11]);
    } finally {
      await store.close();
    }
  });

  it('are refused when the store has since grown past their checkpoint with other events', async () => {
    const { store, readModels } = await restored('regrown', [1, 2, 3]);
    try {
      await expect(onHand(store, readModels)).rejects.toThrow(refusal);
      await rebuildReadModels({ store, dbPath: readModels });
      expect(await onHand(store, readModels)).toEqual([16]);
    } finally {
      await store.close();
    }
  });

  it('are still followed from a file an older version wrote (no event id with its checkpoint)', async () => {
    const events = join(dir, 'older.events.sqlite');
    const readModels = join(dir, 'older.readmodels.sqlite');
    const store = SqliteEventStore.open(events, { synchronous: 'NORMAL' });
    try {
      await append(store, listed('mug'));
      await append(store, adjusted('mug', 10));
      expect(await onHand(store, readModels)).toEqual([10]);
      const db = new Database(readModels);
      db.exec('UPDATE checkpoint SET event_position = NULL, event_id = NULL');
      db.close();
      await append(store, adjusted('mug', 4));
      expect(await onHand(store, readModels)).toEqual([14]);
    } finally {
      await store.close();
    }
  });
});
