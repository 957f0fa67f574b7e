/**
 * Feeds the read models from `$all`: resumes after its checkpoint, applies events through
 * the projector in large transactions while catching up, then commits each live event (or
 * each burst that arrives together) at once. Rows and checkpoint commit together, so a
 * crash at any point resumes exactly after the last committed event.
 */
import type Database from 'better-sqlite3';
import { isEventType, toDomainEvent } from '../server/domain/events';
import type { EventStore, RecordedEvent } from '../server/eventstore/port';
import { Projector } from './apply';
import { openReadModelDb } from './schema';
import { SqliteReadModels } from './sqlite-models';

export interface ProjectionProgress {
  /** `$all` position of the last committed event. */
  position: bigint;
  /** Events committed since this runner started. */
  events: number;
  eventsPerSecond: number;
}

export interface ReadModelChange {
  orderIds: string[];
  skus: string[];
  position: bigint;
}

export interface ProjectionRunnerOptions {
  store: EventStore;
  dbPath: string;
  /** Events per transaction while catching up. */
  batchSize?: number;
  onProgress?: (progress: ProjectionProgress) => void;
  /** The runner stopped on an error (a bad event, a failed write), or a change listener threw; defaults to logging it. */
  onError?: (error: unknown) => void;
}

export interface ProjectionRunner {
  /** Resolves once every event stored at start is in the read models. */
  caughtUp: Promise<void>;
  /** The read-model database, for queries only: the runner is its only writer. */
  db: Database.Database;
  onChange(listener: (change: ReadModelChange) => void): () => void;
  close(): Promise<void>;
}

export const PROJECTED_STREAM_PREFIXES = ['order-', 'product-'];

export async function startProjectionRunner(
  options: ProjectionRunnerOptions,
): Promise<ProjectionRunner> {
  const db = openReadModelDb(options.dbPath);
  const readModels = new SqliteReadModels(db);
  const projector = new Projector(readModels.models);
  const batchSize = options.batchSize ?? 10_000;
  const listeners = new Set<(change: ReadModelChange) => void>();
  const onError = options.onError ?? ((error) => console.error('Projection runner:', error));

  const start = readModels.checkpoint();
  let committed = start?.events ?? 0;
  let appliedSinceStart = 0;
  let pending = {
    count: 0,
    position: start?.position ?? -1n,
    orderIds: new Set<string>(),
    skus: new Set<string>(),
  };
  let live = false;
  let flushScheduled = false;
  const startedAt = performance.now();

  const subscription = options.store.subscribeToAll({
    fromPosition: start?.position ?? 'start',
    filter: { streamPrefixes: PROJECTED_STREAM_PREFIXES },
  });

  const apply = (event: RecordedEvent) => {
    // Types this version does not know (written by a newer one) are skipped; a rebuild after upgrading picks them up.
    if (isEventType(event.type)) {
      const touched = projector.apply(toDomainEvent(event));
      for (const id of touched.orderIds) pending.orderIds.add(id);
      for (const sku of touched.skus) pending.skus.add(sku);
    }
    pending.count += 1;
    pending.position = event.position;
  };

  const flush = () => {
    flushScheduled = false;
    if (pending.count === 0) return;
    const batch = pending;
    readModels.commit({ position: batch.position, events: committed + batch.count });
    committed += batch.count;
    appliedSinceStart += batch.count;
    pending = { count: 0, position: batch.position, orderIds: new Set(), skus: new Set() };
    if (!live && options.onProgress) {
      const seconds = (performance.now() - startedAt) / 1000;
      options.onProgress({
        position: batch.position,
        events: appliedSinceStart,
        eventsPerSecond: seconds > 0 ? appliedSinceStart / seconds : 0,
      });
    }
    const change = {
      orderIds: [...batch.orderIds],
      skus: [...batch.skus],
      position: batch.position,
    };
    for (const listener of listeners) {
      // A failing listener is its owner's problem: the read models keep moving.
      try {
        listener(change);
      } catch (error) {
        onError(error);
      }
    }
  };

  let markCaughtUp!: () => void;
  let failCaughtUp!: (error: unknown) => void;
  const caughtUp = new Promise<void>((resolve, reject) => {
    markCaughtUp = resolve;
    failCaughtUp = reject;
  });
  // A failure is reported through onError too; an unawaited caughtUp must not crash the process.
  caughtUp.catch(() => {});

  let failure: unknown;
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error;
    failCaughtUp(error);
    onError(error);
    void subscription.close();
  };

  // Live events that arrive together (a burst read in one page) share one commit.
  const scheduleFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      if (failure !== undefined) return;
      try {
        flush();
      } catch (error) {
        fail(error);
      }
    });
  };

  const loop = (async () => {
    try {
      for await (const message of subscription) {
        if (failure !== undefined) break;
        if (message.kind === 'caughtUp') {
          flush();
          live = true;
          // Live commits are small: checkpoint the WAL in small steps rather than one long pause.
          db.pragma('wal_autocheckpoint = 1000');
          markCaughtUp();
          continue;
        }
        apply(message.event);
        if (live) scheduleFlush();
        else if (pending.count >= batchSize) flush();
      }
      if (failure === undefined) flush();
    } catch (error) {
      fail(error);
    }
  })();

  let closed = false;
  return {
    caughtUp,
    db,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await subscription.close();
      await loop;
      if (!live) failCaughtUp(new Error('The projection runner was closed before catching up'));
      db.close();
    },
  };
}
