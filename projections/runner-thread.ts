/**
 * The projection runner of the embedded store, in a worker thread: reading new events and
 * writing the read models took a seventh of the server's one JavaScript thread under
 * webhook load, and that thread answers every request. The server keeps a query-only
 * connection to the read models and hears of each commit through `onChange`, as from
 * `startProjectionRunner` itself.
 *
 * A long catch-up (a new server on an old store, or one that was down a while) runs in a
 * thread of its own that exits once caught up: an idle thread never collects its garbage,
 * and the catch-up's would stay resident for good. Live events then go to a fresh thread.
 */
import type { Worker } from 'node:worker_threads';
import type { SqliteEventStore } from '../server/eventstore/sqlite';
import { startWorker } from '../server/worker-thread';
import {
  caughtUpSignal,
  changeListeners,
  logRunnerError,
  type ProjectionRunner,
  sameEventsAsStore,
} from './runner';
import type { FromRunnerWorker, RunnerWorkerData, ToRunnerWorker } from './runner-worker';
import { openReadModelDb } from './schema';
import { type Checkpoint, readCheckpoint } from './sqlite-models';

export interface ProjectionThreadOptions {
  store: SqliteEventStore;
  dbPath: string;
  onError?: (error: unknown) => void;
  /** The read-model file is locked by another process: the runner waits for it (see runner.ts). */
  onUnavailable?: (error: unknown, retryInMs: number) => void;
  onRecovered?: () => void;
  /** Further behind than this many `$all` positions (default 20,000), catch up in a thread of its own. */
  separateCatchUpAfter?: number;
}

const WORKER_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 };

export async function startProjectionThread(
  options: ProjectionThreadOptions,
): Promise<ProjectionRunner> {
  const { store, dbPath } = options;
  const onError = options.onError ?? logRunnerError;
  // Opening creates the schema, so queries work before the first commit.
  const db = openReadModelDb(dbPath);
  const checkpoint = readCheckpoint(db);
  try {
    await sameEventsAsStore(store, checkpoint, dbPath);
  } catch (error) {
    db.close();
    throw error;
  }
  db.pragma('query_only = ON');
  db.pragma('cache_size = -2048');

  const listeners = changeListeners(onError);
  const caughtUp = caughtUpSignal();
  let failure: unknown;
  let waiting: unknown;
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error;
    caughtUp.reject(error);
    onError(error);
  };

  let closing = false;
  let worker: Worker;
  let exited: Promise<number>;
  const send = (message: ToRunnerWorker) => worker.postMessage(message);
  const start = (exitWhenCaughtUp: boolean) => {
    const data: RunnerWorkerData = { storePath: store.path, dbPath, exitWhenCaughtUp };
    worker = startWorker(import.meta.url, 'runner-worker', {
      workerData: data,
      resourceLimits: WORKER_LIMITS,
    });
    exited = new Promise((resolve) => worker.once('exit', resolve));
    let done = false;
    worker.on('message', (message: FromRunnerWorker) => {
      if (message.kind === 'error') return fail(Object.assign(new Error(), message.error));
      if (message.kind === 'waiting') {
        waiting = Object.assign(new Error(), message.error);
        return options.onUnavailable?.(waiting, message.retryInMs);
      }
      if (message.kind === 'recovered') {
        waiting = undefined;
        return options.onRecovered?.();
      }
      if (message.kind === 'caughtUp') {
        done = exitWhenCaughtUp;
        return caughtUp.resolve();
      }
      listeners.publish(message.change);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (closing || failure !== undefined) return;
      if (done) start(false);
      else fail(new Error(`The projection runner's thread exited with code ${code}`));
    });
  };
  start((await behind(store, checkpoint)) > BigInt(options.separateCatchUpAfter ?? 20_000));
  const stopWaking = store.onCommit(() => send({ kind: 'wake' }));

  return {
    caughtUp: caughtUp.promise,
    db,
    onChange: listeners.onChange,
    // Waiting for the file's lock, the read models do not move either.
    failure: () => failure ?? waiting,
    async close() {
      if (closing) return;
      closing = true;
      stopWaking();
      send({ kind: 'close' });
      await exited;
      caughtUp.reject(new Error('The projection runner was closed before catching up'));
      db.close();
    },
  };
}

/** How many `$all` positions the read models' checkpoint is behind the store's last event. */
async function behind(
  store: SqliteEventStore,
  checkpoint: Checkpoint | undefined,
): Promise<bigint> {
  const [last] = await store.readAll({ direction: 'backwards', maxCount: 1 });
  return (last?.position ?? 0n) - (checkpoint?.position ?? 0n);
}
