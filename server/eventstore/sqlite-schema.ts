import Database from 'better-sqlite3';
import type { RecordedEvent } from './port';

export type Synchronous = 'FULL' | 'NORMAL';

export interface SqliteOptions {
  /** FULL (default) fsyncs the WAL on every commit: an acknowledged append survives a power cut. */
  synchronous?: Synchronous;
  /** How long an append waits for another process's write transaction before failing. */
  busyTimeoutMs?: number;
  /** SQLite's page cache (default 16 MB); a reader that only scans `$all` once needs little. */
  cacheMb?: number;
}

/**
 * One row of `events` as an array (arrays are cheaper to build than objects), integers
 * read as bigints (`safeIntegers`) so positions never lose precision.
 */
export type EventTuple = [
  position: bigint,
  stream_id: string,
  revision: bigint,
  event_id: string,
  type: string,
  data: string,
  metadata: string,
  created: bigint,
];

/** The columns of an `EventTuple`, in order. */
export const EVENT_COLUMNS =
  'position, stream_id, revision, event_id, type, data, metadata, created';

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * `position` is the rowid: rows are never deleted, so it only grows, and since writers
 * hold the write lock from insert to commit, commit order equals position order across
 * processes (a reader never sees position n+1 before n).
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position  INTEGER PRIMARY KEY,
    stream_id TEXT    NOT NULL,
    revision  INTEGER NOT NULL,
    event_id  TEXT    NOT NULL UNIQUE,
    type      TEXT    NOT NULL,
    data      TEXT    NOT NULL,
    metadata  TEXT    NOT NULL,
    created   INTEGER NOT NULL,
    UNIQUE (stream_id, revision)
  )`;

export function openDatabase(path: string, options: SqliteOptions = {}): Database.Database {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    // Keep the WAL file from staying large after a burst.
    db.pragma('journal_size_limit = 67108864');
    // Every webhook reads an order stream: SQLite's default 2 MB page cache misses on a
    // large file; 16 MB keeps the hot index pages while keeping the process small.
    db.pragma(`cache_size = -${(options.cacheMb ?? 16) * 1000}`);
    // Several processes may open a new file at once: create the schema under the write lock.
    db.transaction(() => db.exec(SCHEMA)).immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function toRecordedEvent(row: EventTuple): RecordedEvent {
  const [position, streamId, revision, id, type, data, metadata, created] = row;
  return {
    streamId,
    revision,
    position,
    id,
    type,
    data: JSON.parse(data),
    metadata: JSON.parse(metadata),
    created: new Date(Number(created)),
  };
}
