/**
 * The embedded store's writes in a worker thread of their own (`sqlite-writer.ts`): the
 * group commit, its fsync and SQLite's WAL checkpoint no longer run on the thread that
 * answers requests. Appends cross as already validated and serialised events; the writer's
 * store decides and commits them exactly as it would on this thread, and each answer comes
 * back with the commit that made it.
 */

import { startWorker } from '../worker-thread';
import type { AppendResult, ExpectedRevision } from './port';
import { WrongExpectedVersionError } from './port';
import { DuplicateEventIdError } from './sqlite-append';
import type { SqliteOptions } from './sqlite-schema';

/** An event as stored: id lower-cased, payloads as JSON text. */
export interface SerialisedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

export interface WriterData {
  path: string;
  options: SqliteOptions;
}

export interface WriterAppend {
  id: number;
  stream: string;
  events: SerialisedEvent[];
  expected: ExpectedRevision;
}

/** The appends made in one turn of the event loop travel in one message. */
export type ToWriter = { kind: 'appends'; appends: WriterAppend[] } | { kind: 'close' };

/** A refusal or failure as it crosses threads, with what its class needs to be rebuilt. */
export interface WriterError {
  name: string;
  message: string;
  stream?: string;
  expected?: ExpectedRevision;
  actual?: bigint | 'no_stream';
  eventId?: string;
  storedInStream?: string;
  code?: string;
}

export type WriterAnswer =
  | { id: number; ok: true; result: AppendResult }
  | { id: number; ok: false; error: WriterError };

interface Pending {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * Appends per message to the thread, and at most twice that sent and not yet answered: a
 * burst handed over whole would outgrow the thread's small heap.
 */
const MESSAGE_APPENDS = 1_000;
const MAX_UNANSWERED = 2 * MESSAGE_APPENDS;

export class SqliteWriterThread {
  private readonly worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private outbox: WriterAppend[] = [];
  private unanswered = 0;
  /** Set for good once the thread has stopped: no append can be committed in this process. */
  failure: Error | undefined;
  private readonly exited: Promise<void>;

  /** `onCommitted` runs after each batch of answers, once the writes are visible to readers. */
  constructor(path: string, options: SqliteOptions, onCommitted: () => void) {
    this.worker = startWorker(import.meta.url, 'sqlite-writer', {
      workerData: { path, options } satisfies WriterData,
      // Its heap holds one batch of appends at a time.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 2 },
    });
    // Like a file handle, an idle writer must not keep the process alive; one with appends in flight must.
    this.worker.unref();
    this.worker.on('message', (answers: WriterAnswer[]) => {
      this.unanswered -= answers.length;
      for (const answer of answers) {
        const pending = this.pending.get(answer.id);
        if (!pending) continue;
        this.pending.delete(answer.id);
        if (answer.ok) pending.resolve(answer.result);
        else pending.reject(rebuildError(answer.error));
      }
      if (this.pending.size === 0) this.worker.unref();
      onCommitted();
      this.send();
    });
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.fail(new Error(`The event store's writer thread exited (code ${code})`));
        resolve();
      }),
    );
  }

  append(
    stream: string,
    events: SerialisedEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A message per append cost the two threads 0.15 ms of CPU per webhook, more than its commit.
      if (this.outbox.length === 0) setImmediate(() => this.send());
      this.outbox.push({ id, stream, events, expected });
    });
  }

  /** Answers every append already sent (the writer commits them first), then stops the thread. */
  async close(): Promise<void> {
    this.worker.ref();
    this.send(true);
    if (!this.failure) this.worker.postMessage({ kind: 'close' } satisfies ToWriter);
    await this.exited;
  }

  /** Hands appends over as the thread answers; `all` when closing: nothing may stay behind. */
  private send(all = false): void {
    if (this.failure) return;
    while (this.outbox.length > 0 && (all || this.unanswered < MAX_UNANSWERED)) {
      const appends = this.outbox.splice(0, MESSAGE_APPENDS);
      this.unanswered += appends.length;
      this.worker.postMessage({ kind: 'appends', appends } satisfies ToWriter);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }
}

function rebuildError(error: WriterError): Error {
  switch (error.name) {
    case 'WrongExpectedVersionError':
      return new WrongExpectedVersionError(error.stream!, error.expected!, error.actual!);
    case 'DuplicateEventIdError':
      return new DuplicateEventIdError(error.eventId!, error.storedInStream!);
    default:
      return Object.assign(new Error(error.message), {
        name: error.name,
        ...(error.code && { code: error.code }),
      });
  }
}
