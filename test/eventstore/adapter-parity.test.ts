/**
 * Where the EventStoreDB adapter must answer as the embedded store does, beyond the contract
 * suite: a subscription loop left early, and an append JSON cannot carry (which the
 * EventStoreDB client serialises inside a promise nobody can catch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsdbEventStore } from '../../server/eventstore/esdb';
import type { EventData, EventStore } from '../../server/eventstore/port';
import { onEveryStore, openStores, type Stores, settlesWithin } from './both-stores';
import { newEvent, uniquePrefix } from './helpers';

let stores: Stores;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(async () => {
  stores = await openStores();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await settlesWithin(stores.close(), 5_000);
});

it('a subscription loop left with break ends its subscription, on every store', async () => {
  const answers = await onEveryStore(stores, async (store) => {
    const prefix = uniquePrefix('break');
    await store.append(`${prefix}-a`, [newEvent()], { expectedRevision: 'no_stream' });
    const open = () => (store as unknown as { subscriptions: Set<unknown> }).subscriptions.size;
    const before = open();
    for await (const message of store.subscribeToAll({ filter: { streamPrefixes: [prefix] } })) {
      if (message.kind === 'caughtUp') break;
    }
    return open() - before;
  });
  expect(answers).toEqual({ sqlite: 0, sqliteWriterThread: 0, esdb: 0 });
});

describe('an append JSON cannot carry', () => {
  const bigintData = (): EventData => ({ ...newEvent('Unserialisable'), data: { amount: 10n } });
  const noData = (): EventData =>
    ({ id: newEvent().id, type: 'NoData', data: undefined }) as EventData;

  /** The append's fate within 5 s: refused (with the error's name), written, or still pending. */
  async function fateOf(store: EventStore, event: EventData): Promise<string> {
    const attempt = store.append(uniquePrefix('unserialisable'), [event], {
      expectedRevision: 'any',
    });
    let fate = 'pending';
    attempt.then(
      () => {
        fate = 'written';
      },
      (error: unknown) => {
        fate = `refused: ${(error as Error).name}`;
      },
    );
    await settlesWithin(attempt, 5_000);
    return fate;
  }

  it('is refused with a TypeError by every store, with no unhandled rejection', async () => {
    const before = unhandled.length;
    const answers = await onEveryStore(stores, (store) => fateOf(store, bigintData()));
    expect(answers).toEqual({
      sqlite: 'refused: TypeError',
      sqliteWriterThread: 'refused: TypeError',
      esdb: 'refused: TypeError',
    });
    expect(unhandled.slice(before)).toEqual([]);
  });

  it('without data, is written by every store (as null)', async () => {
    const answers = await onEveryStore(stores, (store) => fateOf(store, noData()));
    expect(answers).toEqual({ sqlite: 'written', sqliteWriterThread: 'written', esdb: 'written' });
  });

  it('leaves the EventStoreDB store able to close', async () => {
    const store = EsdbEventStore.connect(stores.emulator.connectionString);
    await store.append(uniquePrefix('warm'), [newEvent()], { expectedRevision: 'any' });
    void store
      .append(uniquePrefix('unserialisable'), [bigintData()], { expectedRevision: 'any' })
      .catch(() => {});
    expect(await settlesWithin(store.close(), 5_000)).toBe(true);
  });
});
