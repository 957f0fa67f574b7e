import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import {
  type AppendOptions,
  type AppendResult,
  checkAppendSize,
  checkNames,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  normaliseEventIds,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StreamNotFoundError,
  type SubscribeToAllOptions,
  type Subscription,
} from './port';
import { DuplicateEventIdError, decideAppend, type StoredEventLookups } from './sqlite-append';
import { openDatabase, type SqliteOptions, toRecordedEvent } from './sqlite-schema';
import {
  MAX_POSITION,
  prepareStatements,
  prepareStreamRead,
  prepareTextRead,
  type Statements,
  type StoredEventText,
  type StreamRead,
  type TextRead,
  type TextReadOptions,
} from './sqlite-statements';
import { SqliteSubscription } from './sqlite-subscription';
import { type SerialisedEvent, SqliteWriterThread } from './sqlite-writer-thread';

export { DuplicateEventIdError } from './sqlite-append';
export type { Synchronous } from './sqlite-schema';
export type { StoredEventText, TextReadOptions } from './sqlite-statements';

export interface SqliteStoreOptions extends SqliteOptions {
  /**
   * Commit appends in a worker thread of their own (`sqlite-writer-thread.ts`), so that the
   * group commit, its fsync and WAL checkpoints never hold up this thread. Same semantics.
   */
  writerThread?: boolean;
}

/** How often live subscribers look for commits made by other processes (same-process appends wake them at once). */
const POLL_INTERVAL_MS = 20;
const FILE_CHECK_MS = 2_000;
const NO_LIMIT = -1;
const MAX_STREAM_READS = 16;

interface PendingAppend {
  stream: string;
  events: SerialisedEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

export interface SqlitePragmas {
  journalMode: string;
  synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  busyTimeoutMs: number;
}

/**
 * The embedded event store: one SQLite file in WAL mode with EventStoreDB's semantics.
 * Appends made while a batch is waiting are committed together in one `BEGIN IMMEDIATE`
 * transaction (group commit), each checked against its own expected revision inside its
 * own savepoint, and each caller is answered only after the commit is durable.
 */
export class SqliteEventStore implements EventStore {
  private readonly stmt: Statements;
  private readonly lookups: StoredEventLookups;
  private readonly appendOne: Database.Transaction<(request: PendingAppend) => AppendResult>;
  private readonly appendMany: Database.Transaction<(batch: PendingAppend[]) => Outcome[]>;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly commitListeners = new Set<() => void>();
  private readonly textReads = new Map<string, TextRead>();
  private readonly streamReads = {
    forwards: new Map<number, StreamRead>(),
    backwards: new Map<number, StreamRead>(),
  };
  private poller: NodeJS.Timeout | undefined;
  private writer: SqliteWriterThread | undefined;
  private dataVersion: unknown;
  private closed = false;
  /** Set once the file this store has open is no longer the one at its path. */
  private fileGone: StoreFileGoneError | undefined;
  private fileWatch: NodeJS.Timeout | undefined;

  private constructor(private readonly db: Database.Database) {
    this.stmt = prepareStatements(db);
    this.lookups = {
      lastOfStream: (stream) => this.stmt.lastOfStream.get(stream),
      eventsAfter: (stream, revision, count) => this.stmt.eventsAfter.all(stream, revision, count),
      findById: (eventId) => this.stmt.findById.get(eventId),
    };
    this.appendOne = db.transaction((request: PendingAppend) => this.apply(request));
    this.appendMany = db.transaction((batch: PendingAppend[]) =>
      batch.map((request): Outcome => {
        try {
          // A nested better-sqlite3 transaction is a savepoint: a refused append undoes only itself.
          return { ok: true, result: this.appendOne(request) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  static open(path: string, options: SqliteStoreOptions = {}): SqliteEventStore {
    const { writerThread, ...sqlite } = options;
    // With a writer thread this connection only reads, and SQLite empties a reader's page cache
    // whenever another connection has committed since its last read: nearly every read here.
    // Emptying it costs more the fuller it has been (`npm run bench:store`: 91 us a read with
    // 2 MB, 98 with 16), a larger cache is rarely hit, and its pages stay in the RSS.
    const cacheMb = sqlite.cacheMb ?? (writerThread ? 2 : undefined);
    const store = new SqliteEventStore(
      openDatabase(path, { ...sqlite, ...(cacheMb !== undefined && { cacheMb }) }),
    );
    if (writerThread) {
      store.writer = new SqliteWriterThread(path, sqlite, () => store.committed());
    }
    store.watchFile(path);
    return store;
  }

  /**
   * A file deleted or replaced under a running store (a cleanup script, a restore, a volume
   * remounted) keeps taking appends into an unlinked inode, lost at the next start: checked
   * every 2 s, after which appends are refused and failure() says why.
   */
  private watchFile(path: string): void {
    const opened = statSync(path, { throwIfNoEntry: false });
    if (!opened) return; // ':memory:'
    this.fileWatch = setInterval(() => {
      const now = statSync(path, { throwIfNoEntry: false });
      if (now?.ino === opened.ino && now.dev === opened.dev) return;
      this.fileGone = new StoreFileGoneError(
        `${path} was deleted or replaced while the server ran: appends are refused (they would be lost); restart the server`,
      );
      clearInterval(this.fileWatch);
    }, FILE_CHECK_MS);
    this.fileWatch.unref();
  }

  append(stream: string, events: EventData[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('The event store is closed'));
    try {
      checkNames(stream, events);
      checkExpectedRevision(options.expectedRevision);
      const ids = normaliseEventIds(events);
      const serialised = events.map((event, i) => serialise(event, ids[i]!));
      checkAppendSize(serialised);
      return this.appendSerialised(stream, serialised, options.expectedRevision);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  failure(): Error | undefined {
    return this.writer?.failure ?? this.fileGone;
  }

  /** `append` for events already checked and serialised (by `append`, or by the thread that hands them to the writer thread). */
  appendSerialised(
    stream: string,
    events: SerialisedEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('The event store is closed'));
    if (this.fileGone) return Promise.reject(this.fileGone);
    if (this.writer) return this.writer.append(stream, events, expected);
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events, expected, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (this.closed) throw new Error('The event store is closed');
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const from = boundary(options.fromRevision ?? (forwards ? 'start' : 'end'));
    const limit = options.maxCount ?? NO_LIMIT;
    const rows = this.streamRead(forwards, limit).all(stream, from);
    // Streams start at revision 0 and keep every event, so a read that takes in revision 0
    // comes back empty only for a missing stream (a new order's first read): no second lookup.
    const mayMissExisting = (forwards && from > 0n) || limit === 0;
    if (rows.length === 0 && !(mayMissExisting && this.stmt.lastOfStream.get(stream))) {
      throw new StreamNotFoundError(stream);
    }
    return rows.map(toRecordedEvent);
  }

  /** Callers use few limits (a page, one, all): each keeps its statement, up to a bound. */
  private streamRead(forwards: boolean, limit: number): StreamRead {
    const reads = forwards ? this.streamReads.forwards : this.streamReads.backwards;
    let statement = reads.get(limit);
    if (!statement) {
      statement = prepareStreamRead(this.db, forwards, limit);
      if (reads.size < MAX_STREAM_READS) reads.set(limit, statement);
    }
    return statement;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    if (this.closed) throw new Error('The event store is closed');
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const from = boundary(options.fromPosition ?? (forwards ? 'start' : 'end'));
    const limit = options.maxCount ?? NO_LIMIT;
    const rows = forwards
      ? this.stmt.allForwards.all(from, limit)
      : this.stmt.allBackwards.all(from, limit);
    return rows.map(toRecordedEvent);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    if (this.closed) throw new Error('The event store is closed');
    const from = options.fromPosition ?? 'start';
    const cursor =
      from === 'start'
        ? -1n
        : from === 'end'
          ? (this.stmt.headPosition.get()?.position ?? -1n)
          : from;
    const subscription = new SqliteSubscription(
      {
        readAfter: (position, limit) => this.stmt.after.all(position, limit),
        detach: (s) => this.detach(s),
      },
      cursor,
      options.filter,
    );
    this.subscriptions.add(subscription);
    this.startPolling();
    return subscription;
  }

  /**
   * Up to `limit` events after `position` (and up to `options.through`) in `$all`, in order,
   * with their payloads as the stored JSON text: for bulk readers such as a read-model
   * rebuild, which never read ids or metadata. `types` keeps only those event types,
   * `exceptTypes` drops those; SQLite skips the others without building them.
   */
  readTextAfter(position: bigint, limit: number, options: TextReadOptions = {}): StoredEventText[] {
    if (this.closed) throw new Error('The event store is closed');
    const { through = MAX_POSITION, types, exceptTypes } = options;
    if (!types && !exceptTypes) return this.stmt.afterText.all(position, through, limit);
    const key = JSON.stringify([types, exceptTypes]);
    let statement = this.textReads.get(key);
    if (!statement) {
      statement = prepareTextRead(this.db, { types, exceptTypes });
      this.textReads.set(key, statement);
    }
    return statement.all(position, through, limit);
  }

  /** Calls `listener` after every commit of this connection's appends. */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Another connection to the file (a thread or process) has committed: live subscribers
   * look for its events now rather than at the next poll.
   */
  wake(): void {
    this.wakeSubscribers();
  }

  /** The database file. */
  get path(): string {
    return this.db.name;
  }

  /** The connection's effective settings, as SQLite reports them. */
  pragmas(): SqlitePragmas {
    const names = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;
    const synchronous = Number(this.db.pragma('synchronous', { simple: true }));
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: names[synchronous] ?? 'OFF',
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends already accepted are written, not dropped.
    this.flush();
    this.closed = true;
    clearInterval(this.fileWatch);
    await this.writer?.close();
    for (const subscription of [...this.subscriptions]) await subscription.close();
    this.stopPolling();
    this.db.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes =
        batch.length === 1
          ? [{ ok: true, result: this.appendOne.immediate(batch[0]!) }]
          : this.appendMany.immediate(batch);
    } catch (error) {
      // The single append was refused, or the commit itself failed: nothing of this batch was written.
      for (const request of batch) request.reject(error);
      return;
    }
    batch.forEach((request, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) request.resolve(outcome.result);
      else request.reject(outcome.error);
    });
    this.committed();
  }

  /** New events are in the file (this thread's commit or the writer thread's). */
  private committed(): void {
    this.wakeSubscribers();
    for (const listener of this.commitListeners) listener();
  }

  private apply(request: PendingAppend): AppendResult {
    const { stream, events, expected } = request;
    const ids = events.map((event) => event.id);
    const decision = decideAppend(stream, ids, expected, this.lookups);
    if (decision.kind === 'done') return decision.result;
    const created = Date.now();
    let position = 0n;
    events.forEach(({ id, type, data, metadata }, i) => {
      const revision = decision.firstRevision + BigInt(i);
      try {
        const info = this.stmt.insert.run(stream, revision, id, type, data, metadata, created);
        position = BigInt(info.lastInsertRowid);
      } catch (error) {
        const stored = this.stmt.findById.get(id);
        throw stored ? new DuplicateEventIdError(id, stored.stream_id) : error;
      }
    });
    return {
      nextExpectedRevision: decision.firstRevision + BigInt(events.length - 1),
      position,
    };
  }

  private wakeSubscribers(): void {
    for (const subscription of this.subscriptions) subscription.wake();
  }

  private detach(subscription: SqliteSubscription): void {
    this.subscriptions.delete(subscription);
    if (this.subscriptions.size === 0) this.stopPolling();
  }

  private startPolling(): void {
    if (this.poller) return;
    this.dataVersion = this.stmt.dataVersion.get();
    this.poller = setInterval(() => {
      const version = this.stmt.dataVersion.get();
      if (version === this.dataVersion) return;
      this.dataVersion = version;
      this.wakeSubscribers();
    }, POLL_INTERVAL_MS);
    // Polling only serves open subscriptions; it must never keep a process alive.
    this.poller.unref();
  }

  private stopPolling(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }
}

/** The store's file is no longer the one at its path (see `watchFile`). */
export class StoreFileGoneError extends Error {
  override readonly name = 'StoreFileGoneError';
}

function boundary(value: bigint | 'start' | 'end'): bigint {
  if (value === 'start') return 0n;
  if (value === 'end') return MAX_POSITION;
  return value;
}

function checkExpectedRevision(expected: ExpectedRevision): void {
  if (
    typeof expected === 'bigint'
      ? expected < 0n
      : !['any', 'no_stream', 'stream_exists'].includes(expected)
  ) {
    throw new TypeError(`Invalid expected revision: ${String(expected)}`);
  }
}

function serialise(event: EventData, id: string): SerialisedEvent {
  try {
    return {
      id,
      type: event.type,
      data: JSON.stringify(event.data ?? null),
      metadata: JSON.stringify(event.metadata ?? {}),
    };
  } catch (error) {
    throw new TypeError(
      `Event ${event.id} (${event.type}) is not JSON: ${(error as Error).message}`,
    );
  }
}
