import { type AppendResult, type ExpectedRevision, WrongExpectedVersionError } from './port';

/** An event id is already stored in another stream (ids are unique store-wide). */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly eventId: string,
    readonly storedInStream: string,
  ) {
    super(`Event id ${eventId} is already stored in stream ${storedInStream}`);
  }
}

/** What the append decision needs to know about stored events. */
export interface StoredEventLookups {
  lastOfStream(stream: string): { revision: bigint; position: bigint } | undefined;
  /** Up to `count` events of `stream` after `revision`, in revision order. */
  eventsAfter(
    stream: string,
    revision: bigint,
    count: number,
  ): { event_id: string; position: bigint }[];
  findById(eventId: string): { stream_id: string; revision: bigint } | undefined;
}

export type AppendDecision =
  | { kind: 'write'; firstRevision: bigint }
  | { kind: 'done'; result: AppendResult };

/**
 * EventStoreDB's commit check: an exact expected revision (or no_stream, i.e. -1) that is
 * stale is still a success, without writing, when the events stored right after it carry
 * exactly these ids in order; with any/stream_exists the first id locates the earlier write.
 * A partial match is EventStoreDB's "corrupted idempotency", reported as a conflict.
 */
export function decideAppend(
  stream: string,
  ids: readonly string[],
  expected: ExpectedRevision,
  stored: StoredEventLookups,
): AppendDecision {
  const last = stored.lastOfStream(stream);
  const current = last?.revision ?? -1n;
  const conflict = () =>
    new WrongExpectedVersionError(stream, expected, last?.revision ?? 'no_stream');
  const proceed = (): AppendDecision =>
    ids.length > 0
      ? { kind: 'write', firstRevision: current + 1n }
      : {
          kind: 'done',
          result: { nextExpectedRevision: current, position: last?.position ?? -1n },
        };

  if (expected === 'any' || expected === 'stream_exists') {
    if (expected === 'stream_exists' && !last) throw conflict();
    const first = ids[0] === undefined ? undefined : stored.findById(ids[0]);
    if (!first) return proceed();
    if (first.stream_id !== stream) throw new DuplicateEventIdError(ids[0]!, first.stream_id);
    return retryAt(stream, first.revision - 1n, ids, stored) ?? throwError(conflict());
  }
  const expectedRevision = expected === 'no_stream' ? -1n : expected;
  if (expectedRevision === current) return proceed();
  if (expectedRevision < current) {
    const retry = retryAt(stream, expectedRevision, ids, stored);
    if (retry) return retry;
  }
  throw conflict();
}

function retryAt(
  stream: string,
  revision: bigint,
  ids: readonly string[],
  stored: StoredEventLookups,
): AppendDecision | undefined {
  if (ids.length === 0) return undefined;
  const rows = stored.eventsAfter(stream, revision, ids.length);
  const last = rows[ids.length - 1];
  if (!last || rows.some((row, i) => row.event_id !== ids[i])) return undefined;
  return {
    kind: 'done',
    result: { nextExpectedRevision: revision + BigInt(ids.length), position: last.position },
  };
}

function throwError(error: Error): never {
  throw error;
}
