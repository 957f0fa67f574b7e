/**
 * One group of read models (see `ReadModelGroup`) projected from the embedded store's file
 * into a new private read-model file, reading only the event types that group needs: a
 * rebuild runs the orders group on its own thread and the stock group in a worker thread.
 */

import { checkStoredEvent } from '../server/domain/event-check';
import { isEventType } from '../server/domain/events';
import type { SqliteEventStore, TextReadOptions } from '../server/eventstore/sqlite';
import { Projector, type ReadModelGroup, STOCK_EVENT_TYPES, STOCK_ONLY_EVENT_TYPES } from './apply';
import { PROJECTED_STREAM_PREFIXES } from './runner';
import { openRebuildDb } from './schema';
import { SqliteReadModels } from './sqlite-models';

export interface GroupJob {
  group: ReadModelGroup;
  /** The last `$all` position to project: both groups stop at the same event. */
  through: bigint;
  /** The new read-model file (its other group's tables stay empty). */
  outPath: string;
  cacheSize: number;
  /** Stops the projection between two pages (the other group failed). */
  signal?: AbortSignal;
}

export interface GroupResult {
  /** Events read, those of types this version does not know included. StockRetaken and PaymentCompleted feed both groups and are counted by the orders group. */
  events: number;
  /** Events applied, counted as `events` is. */
  applied: number;
}

/** Events between two spills of finished rows (and progress reports). */
export const SPILL_EVERY = 10_000;
/** Events read from the store at a time. */
const TEXT_PAGE = 2_000;

/** SQLite page cache per group's file: order rows and lines are most of the bytes. */
const GROUP_CACHE_MB: Record<ReadModelGroup, number> = { orders: 24, stock: 8 };

/**
 * The orders group reads every type but the stock ones, so types it does not know are
 * counted (and skipped) once. StockRetaken and PaymentCompleted feed both groups.
 */
const GROUP_READS: Record<ReadModelGroup, TextReadOptions> = {
  orders: { exceptTypes: STOCK_ONLY_EVENT_TYPES },
  stock: { types: STOCK_EVENT_TYPES },
};
const stockOnly: ReadonlySet<string> = new Set(STOCK_ONLY_EVENT_TYPES);

export async function projectGroup(
  store: SqliteEventStore,
  job: GroupJob,
  onProgress: (progress: { events: number; position: bigint }) => void,
): Promise<GroupResult> {
  const db = openRebuildDb(job.outPath, GROUP_CACHE_MB[job.group]);
  try {
    const readModels = new SqliteReadModels(db, job.cacheSize);
    const projector = new Projector(readModels.models);
    const read = { ...GROUP_READS[job.group], through: job.through };
    const counts = job.group === 'stock' ? (type: string) => stockOnly.has(type) : () => true;
    let seen = 0;
    let events = 0;
    let applied = 0;
    let cursor = -1n;
    db.exec('BEGIN');
    for (;;) {
      job.signal?.throwIfAborted();
      const rows = store.readTextAfter(cursor, TEXT_PAGE, read);
      for (const [position, streamId, type, text] of rows) {
        cursor = position;
        if (!PROJECTED_STREAM_PREFIXES.some((prefix) => streamId.startsWith(prefix))) continue;
        seen += 1;
        const counted = counts(type);
        if (counted) events += 1;
        // Types this version does not know (a newer one's) are skipped, as the runner does.
        if (!isEventType(type)) continue;
        const event = checkStoredEvent(position, streamId, { type, data: JSON.parse(text) });
        projector.applyTo(job.group, event);
        if (counted) applied += 1;
        if (seen % SPILL_EVERY === 0) {
          readModels.spill();
          onProgress({ events, position });
        }
      }
      // A short page is the end of what there was to read.
      if (rows.length < TEXT_PAGE) break;
      // Let timers and messages (a worker's progress) run between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    readModels.writeAll(undefined);
    db.exec('COMMIT');
    return { events, applied };
  } finally {
    db.close();
  }
}
