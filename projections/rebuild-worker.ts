/**
 * A rebuild's worker thread: projects one group of read models (`workerData`: a
 * `GroupWorkerData`) from the embedded store's file and reports progress, then the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../server/eventstore/sqlite';
import { type GroupJob, type GroupResult, projectGroup } from './rebuild-group';

export interface GroupWorkerData extends Omit<GroupJob, 'signal'> {
  storePath: string;
}

export type GroupWorkerMessage =
  | { kind: 'progress'; events: number; position: bigint }
  | { kind: 'done'; result: GroupResult };

const { storePath, ...job } = workerData as GroupWorkerData;
const post = (message: GroupWorkerMessage) => parentPort!.postMessage(message);
// It only scans `$all` once: a small page cache.
const store = SqliteEventStore.open(storePath, { cacheMb: 2 });
try {
  const result = await projectGroup(store, job, (progress) =>
    post({ kind: 'progress', ...progress }),
  );
  post({ kind: 'done', result });
} finally {
  await store.close();
}
