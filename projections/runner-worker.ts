/**
 * The live projection runner's worker thread (see runner-thread.ts): follows the embedded
 * store's file through its own connection and writes the read models, so the server's
 * request thread does neither.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../server/eventstore/sqlite';
import { type ReadModelChange, startProjectionRunner } from './runner';

export interface RunnerWorkerData {
  storePath: string;
  dbPath: string;
  /** Close and exit once caught up, rather than follow live events. */
  exitWhenCaughtUp: boolean;
}

/** From the server: a commit to look for, or the end. */
export type ToRunnerWorker = { kind: 'wake' } | { kind: 'close' };

export type FromRunnerWorker =
  | { kind: 'caughtUp' }
  | { kind: 'change'; change: ReadModelChange }
  | { kind: 'error'; error: ThreadError }
  /** Waiting for the read-model file's lock (then `recovered`), not stopped. */
  | { kind: 'waiting'; error: ThreadError; retryInMs: number }
  | { kind: 'recovered' };

/** An error as it crosses threads: a structured clone would drop what a subclass adds, or fail on its cause. */
export interface ThreadError {
  name: string;
  message: string;
  stack?: string | undefined;
}

const { storePath, dbPath, exitWhenCaughtUp } = workerData as RunnerWorkerData;
const port = parentPort!;
const post = (message: FromRunnerWorker) => port.postMessage(message);

// Live, it reads a few new events at a time: a small page cache will do.
const store = SqliteEventStore.open(storePath, { cacheMb: 1 });
const threadError = (error: unknown): ThreadError => {
  const { name, message, stack } =
    error instanceof Error ? error : new Error(`Projection runner failed: ${String(error)}`);
  return { name, message, stack };
};
const runner = await startProjectionRunner({
  store,
  dbPath,
  onError: (error) => post({ kind: 'error', error: threadError(error) }),
  onUnavailable: (error, retryInMs) =>
    post({ kind: 'waiting', error: threadError(error), retryInMs }),
  onRecovered: () => post({ kind: 'recovered' }),
});
runner.onChange((change) => post({ kind: 'change', change }));
const stop = async () => {
  await runner.close();
  await store.close();
  port.close();
};
runner.caughtUp.then(
  () => {
    post({ kind: 'caughtUp' });
    if (exitWhenCaughtUp) void stop();
  },
  () => {}, // reported through onError
);
port.on('message', (message: ToRunnerWorker) => {
  if (message.kind === 'wake') store.wake();
  else void stop();
});
