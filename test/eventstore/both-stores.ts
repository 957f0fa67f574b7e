/**
 * The embedded store (with and without its writer thread) and the EventStoreDB adapter over
 * the emulator, opened side by side so one scenario can be run
 * against each and the answers compared (DESIGN.md: the embedded store has "the same
 * semantics" as EventStoreDB).
 */
import { EsdbEventStore } from '../../server/eventstore/esdb';
import type { EventStore } from '../../server/eventstore/port';
import { type EsdbEmulator, startEsdbEmulator } from '../esdb-emulator';
import { sqliteHarness } from './sqlite-harness';

/** Whether `p` settles before `ms` elapse (a bounded wait on a condition, not a sleep). */
export function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface Stores {
  all: Record<'sqlite' | 'sqliteWriterThread' | 'esdb', EventStore>;
  emulator: EsdbEmulator;
  close(): Promise<void>;
}

export async function openStores(): Promise<Stores> {
  const harnesses = [sqliteHarness(), sqliteHarness({ writerThread: true })] as const;
  const emulator = await startEsdbEmulator();
  const all = {
    sqlite: await harnesses[0].open(),
    sqliteWriterThread: await harnesses[1].open(),
    esdb: EsdbEventStore.connect(emulator.connectionString) as EventStore,
  };
  return {
    all,
    emulator,
    async close() {
      for (const store of Object.values(all)) await store.close();
      for (const h of harnesses) h.remove();
      await emulator.close();
    },
  };
}

/** Runs `scenario` against every store, one after the other, and returns each answer. */
export async function onEveryStore<T>(
  stores: Stores,
  scenario: (store: EventStore) => Promise<T>,
): Promise<Record<keyof Stores['all'], T>> {
  const answers = {} as Record<keyof Stores['all'], T>;
  for (const [name, store] of Object.entries(stores.all)) {
    answers[name as keyof Stores['all']] = await scenario(store);
  }
  return answers;
}
