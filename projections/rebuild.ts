/**
 * A full rebuild of the read models from the first event, as fast as the events can be
 * read. The read models are disposable, so the rebuild writes a new private file with no
 * journal and no fsync, in one transaction, keeping rows in memory until they stop changing
 * (each order row is written about once). On the embedded store the two groups of read
 * models (see `ReadModelGroup`) are projected at once, one per core, into two files merged
 * at the end. Only when it is complete is the file renamed over the old one: a rebuild that
 * dies leaves the old read models as they were, and its half-written files are removed by
 * the next rebuild. The rows are computed by the same projector as the live runner's, so
 * both give the same tables.
 */
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { checkStoredEvent, MalformedEventError } from '../server/domain/event-check';
import { isEventType } from '../server/domain/events';
import type { EventStore } from '../server/eventstore/port';
import { SqliteEventStore } from '../server/eventstore/sqlite';
import { startWorker } from '../server/worker-thread';
import { Projector } from './apply';
import { type GroupResult, projectGroup, SPILL_EVERY } from './rebuild-group';
import type { GroupWorkerData, GroupWorkerMessage } from './rebuild-worker';
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

const DEFAULT_CACHE_SIZE = 5_000;
const TEMP_INFIX = '.rebuild-';
/** The stock group's file beside the rebuild's, until it is merged in. */
const STOCK_SUFFIX = '-stock';
/** The stock group's tables, as the merge copies them. */
const STOCK_TABLES = ['inventory', 'order_holds'];

export class ReadModelsInUseError extends Error {
  override readonly name = 'ReadModelsInUseError';
  constructor(readonly path: string) {
    super(`${path} is open in another process: stop the servers before rebuilding`);
  }
}

export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildResult> {
  const { store, dbPath } = options;
  // Refuse a file in use before the work rather than after it; the end checks again, as a
  // server may have opened it meanwhile.
  retire(dbPath);
  removeAbandonedRebuilds(dbPath);
  const temp = `${dbPath}${TEMP_INFIX}${process.pid}`;
  const stockTemp = `${temp}${STOCK_SUFFIX}`;
  removeDatabaseFiles(temp);
  removeDatabaseFiles(stockTemp);
  try {
    const result =
      store instanceof SqliteEventStore
        ? await rebuildInGroups(store, temp, stockTemp, options)
        : await rebuildFromSubscription(store, temp, options);
    retire(dbPath);
    renameSync(temp, dbPath);
    return result;
  } catch (error) {
    removeDatabaseFiles(temp);
    throw error;
  } finally {
    removeDatabaseFiles(stockTemp);
  }
}

/**
 * The embedded store: the orders group on this thread and the stock group in a worker, on
 * the two cores, each reading straight from the store's file only the event types it needs
 * (no RecordedEvent built), both up to the same last event; then the stock tables are
 * copied into the orders file.
 */
async function rebuildInGroups(
  store: SqliteEventStore,
  temp: string,
  stockTemp: string,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const [last] = await store.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 });
  const through = last?.position ?? -1n;
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  const progress = { orders: { events: 0, position: -1n }, stock: { events: 0, position: -1n } };
  const startedAt = performance.now();
  const report = () => {
    const events = progress.orders.events + progress.stock.events;
    const seconds = Math.max((performance.now() - startedAt) / 1000, 1e-9);
    // The slower group's: everything before it is projected. (Math.min takes no bigints.)
    const [position] = [progress.orders.position, progress.stock.position].sort((a, b) =>
      a < b ? -1 : 1,
    );
    options.onProgress?.({ position: position!, events, eventsPerSecond: events / seconds });
  };
  report();
  const worker = startGroupWorker(
    { storePath: store.path, group: 'stock', through, outPath: stockTemp, cacheSize },
    (update) => {
      progress.stock = update;
      report();
    },
  );
  // A failed stock group stops the orders group at its next page, not at the end.
  const stockFailed = new AbortController();
  worker.result.catch((error) => stockFailed.abort(error));
  let orders: GroupResult;
  try {
    orders = await projectGroup(
      store,
      { group: 'orders', through, outPath: temp, cacheSize, signal: stockFailed.signal },
      (update) => {
        progress.orders = update;
        report();
      },
    );
  } catch (error) {
    await worker.stop();
    throw error;
  }
  const stock = await worker.result;
  const events = orders.events + stock.events;
  const db = openRebuildDb(temp);
  try {
    db.prepare('ATTACH ? AS stock').run(stockTemp);
    db.transaction(() => {
      for (const table of STOCK_TABLES)
        db.exec(`INSERT INTO ${table} SELECT * FROM stock.${table}`);
      if (last)
        db.prepare(
          'INSERT INTO checkpoint (id, position, events, event_position, event_id) VALUES (1, ?, ?, ?, ?)',
        ).run(last.position, orders.applied + stock.applied, last.position, last.id);
      createIndexes(db);
    })();
    db.exec('DETACH stock');
  } finally {
    db.close();
  }
  progress.orders = { events: orders.events, position: through };
  progress.stock = { events: stock.events, position: through };
  report();
  return { events, position: last?.position };
}

/** Heap limits of the stock worker: its rows are few and small (a collector on a short leash keeps RSS down). */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 };

interface GroupWorker {
  result: Promise<GroupResult>;
  stop(): Promise<void>;
}

function startGroupWorker(
  data: GroupWorkerData,
  onProgress: (progress: { events: number; position: bigint }) => void,
): GroupWorker {
  const worker = startWorker(import.meta.url, 'rebuild-worker', {
    workerData: data,
    resourceLimits: WORKER_LIMITS,
  });
  const result = new Promise<GroupResult>((resolve, reject) => {
    let done: GroupResult | undefined;
    worker.on('message', (message: GroupWorkerMessage) => {
      if (message.kind === 'progress') onProgress(message);
      else done = message.result;
    });
    worker.on('error', (error) => reject(withClass(error)));
    worker.on('exit', (code) =>
      done
        ? resolve(done)
        : reject(new Error(`the rebuild's stock worker exited with code ${code}`)),
    );
  });
  // Until awaited, a failure is reported by whoever awaits it, not as unhandled.
  result.catch(() => {});
  return {
    result,
    async stop() {
      await worker.terminate();
    },
  };
}

/**
 * An error thrown in a worker arrives as a plain Error with its fields: a malformed event
 * gets its class back, which callers test for (its message and stack stay the worker's).
 */
function withClass(error: Error): Error {
  return error.name === 'MalformedEventError'
    ? Object.setPrototypeOf(error, MalformedEventError.prototype)
    : error;
}

/** Any other store: one subscription from the first event, every read model on this thread. */
async function rebuildFromSubscription(
  store: EventStore,
  temp: string,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const db = openRebuildDb(temp);
  try {
    const readModels = new SqliteReadModels(db, options.cacheSize ?? DEFAULT_CACHE_SIZE);
    const projector = new Projector(readModels.models);
    const startedAt = performance.now();
    let events = 0;
    let applied = 0;
    let position: bigint | undefined;
    let eventId: string | undefined;
    const report = () =>
      options.onProgress?.({
        position: position ?? -1n,
        events,
        eventsPerSecond: events / Math.max((performance.now() - startedAt) / 1000, 1e-9),
      });
    report();
    db.exec('BEGIN');
    const subscription = store.subscribeToAll({
      fromPosition: 'start',
      filter: { streamPrefixes: PROJECTED_STREAM_PREFIXES },
    });
    try {
      for await (const message of subscription) {
        if (message.kind === 'caughtUp') break;
        const recorded = message.event;
        events += 1;
        position = recorded.position;
        eventId = recorded.id;
        // Types this version does not know (a newer one's) are skipped, as the runner does.
        if (isEventType(recorded.type)) {
          projector.apply(checkStoredEvent(recorded.position, recorded.streamId, recorded));
          applied += 1;
        }
        if (events % SPILL_EVERY === 0) {
          readModels.spill();
          report();
        }
      }
    } finally {
      await subscription.close();
    }
    readModels.writeAll(
      position === undefined ? undefined : { position, events: applied, eventId },
    );
    createIndexes(db);
    db.exec('COMMIT');
    report();
    return { events, position };
  } finally {
    db.close();
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
      name.startsWith(prefix) &&
      /^(\d+)(-stock)?(-wal|-shm|-journal)?$/.exec(name.slice(prefix.length));
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
