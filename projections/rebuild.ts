/**
 * A full rebuild of the read models from the first event, as fast as the events can be
 * read. The read models are disposable, so the rebuild writes a new private file with no
 * journal and no fsync, in one transaction, keeping rows in memory until they stop changing
 * (each order row is written about once). Only when it is complete is the file renamed over
 * the old one: a rebuild that dies leaves the old read models as they were, and its
 * half-written file is removed by the next rebuild. The rows are computed by the same
 * projector as the live runner's, so both give the same tables.
 */
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { type DomainEvent, isEventType } from '../server/domain/events';
import { type EventStore, matchesFilter } from '../server/eventstore/port';
import { SqliteEventStore } from '../server/eventstore/sqlite';
import { Projector } from './apply';
import { checkEvent } from './event-check';
import { PROJECTED_STREAM_PREFIXES, type ProjectionProgress } from './runner';
import { createIndexes, openRebuildDb } from './schema';
import { SqliteReadModels } from './sqlite-models';

export interface RebuildOptions {
  store: EventStore;
  /** The read-model file to replace (created if missing). */
  dbPath: string;
  onProgress?: (progress: ProjectionProgress) => void;
  /**
   * Rows each table keeps per cache generation (default 5,000). A row that leaves the cache
   * is written, and read back if a later event changes it again; a larger cache writes and
   * reads fewer rows twice but keeps more in memory for the collector to walk (on the
   * benchmark's history, 5,000 was as fast as 20,000 and 50 MB smaller).
   */
  cacheSize?: number;
}

export interface RebuildResult {
  /** Events read from `$all` (those of types this version does not know included). */
  events: number;
  /** `$all` position of the last event, or undefined when there were none. */
  position: bigint | undefined;
}

/** Events between two spills of finished rows (and progress reports). */
const SPILL_EVERY = 10_000;
/** Events read from the embedded store at a time. */
const TEXT_PAGE = 2_000;
const TEMP_INFIX = '.rebuild-';

export class ReadModelsInUseError extends Error {
  override readonly name = 'ReadModelsInUseError';
  constructor(readonly path: string) {
    super(`${path} is open in another process: stop the servers before rebuilding`);
  }
}

export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildResult> {
  const { store, dbPath } = options;
  removeAbandonedRebuilds(dbPath);
  const temp = `${dbPath}${TEMP_INFIX}${process.pid}`;
  removeDatabaseFiles(temp);
  const db = openRebuildDb(temp);
  try {
    const readModels = new SqliteReadModels(db, options.cacheSize ?? 5_000);
    const projector = new Projector(readModels.models);
    const startedAt = performance.now();
    let events = 0;
    let applied = 0;
    let position: bigint | undefined;
    const report = () =>
      options.onProgress?.({
        position: position ?? -1n,
        events,
        eventsPerSecond: events / Math.max((performance.now() - startedAt) / 1000, 1e-9),
      });
    /** `event` is undefined for types this version does not know: skipped, as the runner does. */
    const onEvent = (at: bigint, event: DomainEvent | undefined) => {
      events += 1;
      position = at;
      if (event) {
        projector.apply(event);
        applied += 1;
      }
      if (events % SPILL_EVERY === 0) {
        readModels.spill();
        report();
      }
    };
    db.exec('BEGIN');
    if (store instanceof SqliteEventStore) await readStoredText(store, onEvent);
    else await readSubscription(store, onEvent);
    if (position !== undefined) readModels.writeAll({ position, events: applied });
    createIndexes(db);
    db.exec('COMMIT');
    report();
    db.close();
    retire(dbPath);
    renameSync(temp, dbPath);
    return { events, position };
  } catch (error) {
    if (db.open) db.close();
    removeDatabaseFiles(temp);
    throw error;
  }
}

type OnEvent = (position: bigint, event: DomainEvent | undefined) => void;

/**
 * The embedded store's events straight from its file, in pages: the same events in the
 * same order as its subscription delivers, without building a RecordedEvent (metadata,
 * ids, dates) for each, which a rebuild never reads.
 */
async function readStoredText(store: SqliteEventStore, onEvent: OnEvent): Promise<void> {
  const filter = { streamPrefixes: PROJECTED_STREAM_PREFIXES };
  let cursor = -1n;
  for (;;) {
    const rows = store.readTextAfter(cursor, TEXT_PAGE);
    for (const [position, streamId, type, text] of rows) {
      cursor = position;
      if (!matchesFilter({ streamId, type }, filter)) continue;
      onEvent(
        position,
        isEventType(type) ? checkEvent({ type, data: JSON.parse(text) }) : undefined,
      );
    }
    // A short page is the end of the log as it was (as the subscription's `caughtUp`).
    if (rows.length < TEXT_PAGE) return;
    // Let timers and I/O run between pages.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function readSubscription(store: EventStore, onEvent: OnEvent): Promise<void> {
  const subscription = store.subscribeToAll({
    fromPosition: 'start',
    filter: { streamPrefixes: PROJECTED_STREAM_PREFIXES },
  });
  try {
    for await (const message of subscription) {
      if (message.kind === 'caughtUp') break;
      const recorded = message.event;
      onEvent(recorded.position, isEventType(recorded.type) ? checkEvent(recorded) : undefined);
    }
  } finally {
    await subscription.close();
  }
}

/**
 * Folds the old file's WAL into it and deletes the WAL, so the renamed file never meets a
 * stale one. SQLite only leaves WAL mode with no other connection open: a running server
 * (still projecting into the old file) makes the rebuild fail instead of losing its writes.
 */
function retire(dbPath: string): void {
  if (!existsSync(dbPath)) {
    removeDatabaseFiles(dbPath);
    return;
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { timeout: 1_000 });
    db.pragma('journal_mode = DELETE');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new ReadModelsInUseError(dbPath);
    }
    // Not a database (or a broken one): nothing in it is worth keeping, its WAL least of all.
    if (!code.startsWith('SQLITE_NOTADB') && !code.startsWith('SQLITE_CORRUPT')) throw error;
    db?.close();
    db = undefined;
    removeDatabaseFiles(dbPath);
  } finally {
    db?.close();
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${path}${suffix}`, { force: true });
}

/** Files of rebuilds whose process is gone (killed mid-rebuild). */
function removeAbandonedRebuilds(dbPath: string): void {
  const dir = dirname(dbPath);
  const prefix = `${basename(dbPath)}${TEMP_INFIX}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match =
      name.startsWith(prefix) && /^(\d+)(-wal|-shm|-journal)?$/.exec(name.slice(prefix.length));
    if (match && !isRunning(Number(match[1]))) rmSync(join(dir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is only someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
