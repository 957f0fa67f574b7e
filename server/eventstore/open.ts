import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventStore } from './port';
import { SqliteEventStore } from './sqlite';

export interface EventStoreSettings {
  /** `esdb://...` selects EventStoreDB; unset means the embedded SQLite store. */
  eventstoreUrl?: string;
  sqlitePath: string;
  synchronous?: 'FULL' | 'NORMAL';
  /** Commit appends in a worker thread of their own (`SqliteStoreOptions.writerThread`). */
  writerThread?: boolean;
}

/** The one place that chooses the event store adapter. */
export async function openEventStore(settings: EventStoreSettings): Promise<EventStore> {
  if (settings.eventstoreUrl) {
    // Loaded only when chosen, so the embedded default never loads the gRPC client.
    const { EsdbEventStore } = await import('./esdb');
    return EsdbEventStore.connect(settings.eventstoreUrl);
  }
  await mkdir(dirname(settings.sqlitePath), { recursive: true });
  return SqliteEventStore.open(settings.sqlitePath, {
    ...(settings.synchronous && { synchronous: settings.synchronous }),
    writerThread: settings.writerThread ?? false,
  });
}
