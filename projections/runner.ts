/**
 * Feeds the read models from `$all`: resumes after its checkpoint, applies events through
 * the projector in large transactions while catching up, then commits each live event (or
 * each burst that arrives together) at once. Rows and checkpoint commit together, so a
 * crash at any point resumes exactly after the last committed event. Several processes
 * may project into one file: a commit only lands on the checkpoint it started from.
 */
import type Database from 'better-sqlite3';
import { ConfigError } from '../server/config';
import { checkStoredEvent } from '../server/domain/event-check';
import { type DomainEvent, isEventType } from '../server/domain/events';
import type { EventStore, RecordedEvent, SubscriptionMessage } from '../server/eventstore/port';
import { Projector, type Touched } from './apply';
import { openReadModelDb } from './schema';
import { type Checkpoint, SqliteReadModels } from './sqlite-models';

export interface ProjectionProgress {
  /** `$all` position of the last committed event. */
  position: bigint;
  /** Events committed since this runner started (0 in its first report, of where it starts). */
  events: number;
  eventsPerSecond: number;
}

export interface ReadModelChange {
  orderIds: string[];
  skus: string[];
  position: bigint;
}

export interface ProjectionRunnerOptions {
  store: EventStore;
  dbPath: string;
  /** Events per transaction while catching up. */
  batchSize?: number;
  onProgress?: (progress: ProjectionProgress) => void;
  /** The runner stopped on an error (a bad event, a failed write), or a change listener threw; defaults to logging it. */
  onError?: (error: unknown) => void;
  /**
   * When the store's subscription fails (EventStoreDB restarting, a leader change, not up
   * yet), wait and subscribe again from the last event applied, telling `onUnavailable` each
   * time, instead of stopping. For a server; a one-off catch-up had better stop and say so.
   */
  onUnavailable?: (error: unknown, retryInMs: number) => void;
  /** The store, or the read-model file, answers again after `onUnavailable`. */
  onRecovered?: () => void;
}

/**
 * Another process holds the read-model file's write lock past the busy timeout (a second
 * server's runner, an operator's sqlite3 shell, a backup): a wait, not a failure.
 */
const isLocked = (error: unknown) =>
  /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown } | null)?.code));

const LOCKED = 'The read-model file is locked by another process';

/** Whether `onUnavailable` was told of a locked read-model file (its error may have crossed threads). */
export const isReadModelsLocked = (error: unknown) =>
  error instanceof Error && error.message.startsWith(LOCKED);

/** Thrown by a commit that found the read-model file locked, its batch kept to commit later. */
class ReadModelsLockedError extends Error {
  constructor(cause: unknown) {
    super(`${LOCKED}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Waits before subscribing again after the store failed: doubling, up to 5 s. */
const resubscribeDelay = (failures: number) => Math.min(250 * 2 ** failures, 5_000);

export interface ProjectionRunner {
  /** Resolves once every event stored at start is in the read models. */
  caughtUp: Promise<void>;
  /** The read-model database, for queries only: in this process only the runner writes to it. */
  db: Database.Database;
  onChange(listener: (change: ReadModelChange) => void): () => void;
  /** What stopped the runner, if something did: the read models no longer move. */
  failure(): unknown;
  close(): Promise<void>;
}

export const PROJECTED_STREAM_PREFIXES = ['order-', 'product-'];

/** What a runner does with an error when its owner gave no `onError`. */
export const logRunnerError = (error: unknown) => console.error('Projection runner:', error);

/** A runner's change listeners: one that throws is its owner's problem, reported through `onError`; the read models keep moving. */
export function changeListeners(onError: (error: unknown) => void) {
  const listeners = new Set<(change: ReadModelChange) => void>();
  return {
    onChange(listener: (change: ReadModelChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(change: ReadModelChange): void {
      for (const listener of listeners) {
        try {
          listener(change);
        } catch (error) {
          onError(error);
        }
      }
    },
  };
}

/** `caughtUp` and the functions that settle it. */
export function caughtUpSignal() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failure is reported through onError too; an unawaited caughtUp must not crash the process.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * Read models hold the events up to their checkpoint: that event must be the store's own. A
 * store restored from an older backup, or another store (DATA_DIR or EVENTSTORE_URL changed),
 * has none or another there, and following it from the checkpoint would skip its new events
 * and keep events it no longer has.
 */
export async function sameEventsAsStore(
  store: EventStore,
  checkpoint: Checkpoint | undefined,
  dbPath: string,
): Promise<void> {
  if (!checkpoint) return;
  const [at] = await store.readAll({ fromPosition: checkpoint.position, maxCount: 1 });
  const same =
    at?.position === checkpoint.position &&
    (checkpoint.eventId === undefined || at.id === checkpoint.eventId);
  if (same) return;
  throw new ConfigError(
    `${dbPath} holds read models of events this event store does not have (restored from a backup, or another store's file?): rebuild them with \`npm run -s projections -- rebuild\``,
  );
}

/** The least time between two live commits. */
const LIVE_COMMIT_SPACING_MS = 4;

export async function startProjectionRunner(
  options: ProjectionRunnerOptions,
): Promise<ProjectionRunner> {
  const db = openReadModelDb(options.dbPath);
  const readModels = new SqliteReadModels(db);
  try {
    await sameEventsAsStore(options.store, readModels.checkpoint(), options.dbPath);
  } catch (error) {
    db.close();
    throw error;
  }
  const projector = new Projector(readModels.models);
  const batchSize = options.batchSize ?? 10_000;
  const onError = options.onError ?? logRunnerError;
  const listeners = changeListeners(onError);

  const start = readModels.checkpoint();
  /** The file's checkpoint as this runner last knew it (its own commit or another runner's). */
  let stored = start;
  let appliedSinceStart = 0;
  const newBatch = (position: bigint) => ({
    count: 0,
    position,
    eventId: undefined as string | undefined,
    events: [] as { position: bigint; event: DomainEvent }[],
    orderIds: new Set<string>(),
    skus: new Set<string>(),
  });
  let pending = newBatch(start?.position ?? -1n);
  let live = false;
  let flushScheduled = false;
  const startedAt = performance.now();

  const subscribeAfter = (position: bigint | undefined) =>
    options.store.subscribeToAll({
      fromPosition: position ?? 'start',
      filter: { streamPrefixes: PROJECTED_STREAM_PREFIXES },
    });
  let subscription = subscribeAfter(start?.position);
  /** The store's error while the runner waits to subscribe again. */
  let unavailable: unknown;
  let closed = false;
  let wakeFromPause: (() => void) | undefined;
  let pauseTimer: ReturnType<typeof setTimeout> | undefined;
  // Where the catch-up starts, so progress is measured from there and not from the first batch.
  options.onProgress?.({ position: pending.position, events: 0, eventsPerSecond: 0 });

  const noteTouched = (touched: Touched) => {
    for (const id of touched.orderIds) pending.orderIds.add(id);
    for (const sku of touched.skus) pending.skus.add(sku);
  };

  const apply = (recorded: RecordedEvent) => {
    pending.count += 1;
    pending.position = recorded.position;
    pending.eventId = recorded.id;
    // Types this version does not know (written by a newer one) are skipped; a rebuild after upgrading picks them up.
    if (!isEventType(recorded.type)) return;
    const event = checkStoredEvent(recorded.position, recorded.streamId, recorded);
    if (stored && recorded.position <= stored.position) {
      // Another runner sharing this file already committed it: only tell the listeners.
      noteTouched(projector.touchedBy(event));
      return;
    }
    pending.events.push({ position: recorded.position, event });
    noteTouched(projector.apply(event));
  };

  /** Commits the batch; when another runner committed first, re-applies what it has not. */
  const commit = (batch: typeof pending) => {
    let events = batch.events;
    for (;;) {
      if (events.length === 0) return;
      const checkpoint = {
        position: batch.position,
        events: (stored?.events ?? 0) + events.length,
        eventId: batch.eventId,
      };
      let outcome: ReturnType<typeof readModels.commit>;
      try {
        outcome = readModels.commit(stored?.position, checkpoint);
      } catch (error) {
        if (!isLocked(error)) throw error;
        // The commit dropped the cached rows: they are made again from the file and these
        // events, in order, so the events that come meanwhile apply on top of them.
        for (const { event } of events) projector.apply(event);
        throw new ReadModelsLockedError(error);
      }
      if (outcome.ok) {
        stored = checkpoint;
        return;
      }
      stored = outcome.stored;
      const after = stored?.position ?? -1n;
      events = events.filter((e) => e.position > after);
      for (const { event } of events) projector.apply(event);
    }
  };

  /** While the file is locked: when to try to commit again, and how many tries have failed. */
  let lockedUntil = 0;
  let lockedTries = 0;
  let lockTimer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    flushScheduled = false;
    if (pending.count === 0 || performance.now() < lockedUntil) return;
    const batch = pending;
    try {
      commit(batch);
    } catch (error) {
      if (!(error instanceof ReadModelsLockedError)) throw error;
      // Each try blocks this thread for the busy timeout: tried again later, not per event.
      const wait = resubscribeDelay(lockedTries++);
      lockedUntil = performance.now() + wait;
      unavailable = error;
      options.onUnavailable?.(error, wait);
      lockTimer = setTimeout(() => {
        lockedUntil = 0;
        if (!closed) liveFlush();
      }, wait);
      return;
    }
    if (lockedTries > 0) {
      lockedTries = 0;
      unavailable = undefined;
      options.onRecovered?.();
    }
    appliedSinceStart += batch.count;
    pending = newBatch(batch.position);
    if (!live && options.onProgress) {
      const seconds = (performance.now() - startedAt) / 1000;
      options.onProgress({
        position: batch.position,
        events: appliedSinceStart,
        eventsPerSecond: seconds > 0 ? appliedSinceStart / seconds : 0,
      });
    }
    listeners.publish({
      orderIds: [...batch.orderIds],
      skus: [...batch.skus],
      position: batch.position,
    });
  };

  const caughtUp = caughtUpSignal();

  let failure: unknown;
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error;
    caughtUp.reject(error);
    onError(error);
    void subscription.close();
  };

  // Live events that arrive together share one commit: at once when the last commit is
  // older than LIVE_COMMIT_SPACING_MS, else when it is that old. Idle, an event is visible
  // in a millisecond; under load, commits (and their fixed cost) stay a few per 10 ms.
  let lastLiveCommit = Number.NEGATIVE_INFINITY;
  const liveFlush = () => {
    lastLiveCommit = performance.now();
    if (failure !== undefined) return;
    try {
      flush();
    } catch (error) {
      fail(error);
    }
  };
  const scheduleFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    const wait = lastLiveCommit + LIVE_COMMIT_SPACING_MS - performance.now();
    if (wait <= 0) setImmediate(liveFlush);
    else setTimeout(liveFlush, wait);
  };

  /** Applies one message; false once the runner has failed (its own error, never the store's). */
  const handle = (message: SubscriptionMessage): boolean => {
    try {
      if (message.kind === 'caughtUp') {
        // Also heard again after subscribing anew, when already live.
        if (live) return true;
        flush();
        live = true;
        // Live commits are small: checkpoint the WAL in small steps rather than one long pause.
        db.pragma('wal_autocheckpoint = 1000');
        readModels.goLive();
        caughtUp.resolve();
        return true;
      }
      apply(message.event);
      if (live) scheduleFlush();
      else if (pending.count >= batchSize) flush();
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  };

  /** Settles the batch applied last; a failure there is the runner's own, never the store's. */
  const finalFlush = () => {
    if (failure !== undefined) return;
    try {
      flush();
    } catch (error) {
      fail(error);
    }
  };

  const loop = (async () => {
    for (let failures = 0; ; failures++) {
      let ended: unknown;
      try {
        for await (const message of subscription) {
          if (failure !== undefined || !handle(message)) return;
          if (unavailable !== undefined && lockedTries === 0) {
            unavailable = undefined;
            options.onRecovered?.();
          }
          failures = 0;
        }
        // A subscription the store ended by itself (not our close) is an outage too.
        if (closed || !options.onUnavailable) return finalFlush();
        ended = new Error('The event store ended the subscription');
      } catch (error) {
        // Only the store's subscription throws here: handle() keeps the runner's own errors.
        if (failure !== undefined || closed) return finalFlush();
        if (!options.onUnavailable) return fail(error);
        ended = error;
      }
      unavailable = ended;
      await subscription.close().catch(() => {});
      const wait = resubscribeDelay(failures);
      options.onUnavailable(ended, wait);
      await new Promise<void>((resolve) => {
        wakeFromPause = resolve;
        pauseTimer = setTimeout(resolve, wait);
      });
      if (closed || failure !== undefined) return;
      // From the last event applied: those applied and not yet committed stay in the batch.
      subscription = subscribeAfter(pending.position >= 0n ? pending.position : undefined);
    }
  })();

  return {
    caughtUp: caughtUp.promise,
    db,
    onChange: listeners.onChange,
    // Read models that wait for the store no longer move either.
    failure: () => failure ?? unavailable,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(pauseTimer);
      clearTimeout(lockTimer);
      wakeFromPause?.();
      await subscription.close();
      await loop;
      if (!live) caughtUp.reject(new Error('The projection runner was closed before catching up'));
      db.close();
    },
  };
}
