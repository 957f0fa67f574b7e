import type Database from 'better-sqlite3';
import { EVENT_COLUMNS as columns, type EventTuple } from './sqlite-schema';

/** An event's position, stream, type and payload (JSON text, as stored). */
export type StoredEventText = [position: bigint, streamId: string, type: string, data: string];

export interface TextReadOptions {
  /** The last position to read (inclusive). */
  through?: bigint;
  types?: readonly string[];
  exceptTypes?: readonly string[];
}

/** The largest position SQLite can store. */
export const MAX_POSITION = 2n ** 63n - 1n;

export type TextRead = Database.Statement<[bigint, bigint, number], StoredEventText>;

/** A text read keeping or dropping event types, given as quoted SQL string literals. */
export function prepareTextRead(
  db: Database.Database,
  { types, exceptTypes }: Pick<TextReadOptions, 'types' | 'exceptTypes'>,
): TextRead {
  const list = (values: readonly string[]) =>
    values.map((t) => `'${t.replaceAll("'", "''")}'`).join(', ');
  const conditions = [
    ...(types ? [`type IN (${list(types)})`] : []),
    ...(exceptTypes ? [`type NOT IN (${list(exceptTypes)})`] : []),
  ];
  return db
    .prepare<[bigint, bigint, number], StoredEventText>(
      `SELECT position, stream_id, type, data FROM events
       WHERE position > ? AND position <= ? AND ${conditions.join(' AND ')}
       ORDER BY position LIMIT ?`,
    )
    .safeIntegers(true)
    .raw(true);
}

export type Statements = ReturnType<typeof prepareStatements>;

export type StreamRead = Database.Statement<[string, bigint], EventTuple>;

/**
 * A stream read with its LIMIT written into the SQL (none for a negative limit). SQLite
 * plans with the value of a bound LIMIT, so binding one again makes the statement prepare
 * itself anew on its next run: 8 us more on every order read, measured on 53,000 orders.
 */
export function prepareStreamRead(
  db: Database.Database,
  forwards: boolean,
  limit: number,
): StreamRead {
  if (!Number.isSafeInteger(limit))
    throw new RangeError(`maxCount must be an integer, not ${limit}`);
  const range = forwards
    ? 'revision >= ? ORDER BY revision'
    : 'revision <= ? ORDER BY revision DESC';
  const limited = limit >= 0 ? ` LIMIT ${limit}` : '';
  return db
    .prepare<[string, bigint], EventTuple>(
      `SELECT ${columns} FROM events WHERE stream_id = ? AND ${range}${limited}`,
    )
    .safeIntegers(true)
    .raw(true);
}

/** Every statement the store runs, prepared once; integers come back as bigints. */
export function prepareStatements(db: Database.Database) {
  const prepare = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql).safeIntegers(true);
  const events = <P extends unknown[]>(sql: string) =>
    db.prepare<P, EventTuple>(sql).safeIntegers(true).raw(true);
  return {
    lastOfStream: prepare<[string], { revision: bigint; position: bigint }>(
      'SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    ),
    eventsAfter: prepare<[string, bigint, number], { event_id: string; position: bigint }>(
      'SELECT event_id, position FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision LIMIT ?',
    ),
    findById: prepare<[string], { stream_id: string; revision: bigint }>(
      'SELECT stream_id, revision FROM events WHERE event_id = ?',
    ),
    insert: prepare<[string, bigint, string, string, string, string, number], never>(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    allForwards: events<[bigint, number]>(
      `SELECT ${columns} FROM events WHERE position >= ? ORDER BY position LIMIT ?`,
    ),
    allBackwards: events<[bigint, number]>(
      `SELECT ${columns} FROM events WHERE position <= ? ORDER BY position DESC LIMIT ?`,
    ),
    after: events<[bigint, number]>(
      `SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    ),
    // Bulk catch-up (a rebuild reading in another thread): payloads stay JSON text, for the reader to parse or pass on.
    afterText: db
      .prepare<[bigint, bigint, number], StoredEventText>(
        'SELECT position, stream_id, type, data FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?',
      )
      .safeIntegers(true)
      .raw(true),
    headPosition: prepare<[], { position: bigint }>(
      'SELECT position FROM events ORDER BY position DESC LIMIT 1',
    ),
    // Changes whenever another connection (another process) commits; our own commits wake subscribers directly.
    dataVersion: db.prepare<[], unknown>('PRAGMA data_version').pluck(),
  };
}
