/**
 * The event store port: what every part of stripe-cart needs from a store, with
 * EventStoreDB's semantics. Two adapters implement it (embedded SQLite and
 * EventStoreDB); one contract suite holds them to it.
 */

/** 0-based stream revision the append expects, as EventStoreDB's `expectedRevision`. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface EventMetadata {
  /** The order (or product) this fact belongs to. */
  correlationId?: string;
  /** The id of the event or command that caused this one. */
  causationId?: string;
  /** The Stripe event that caused this one, where one did. */
  stripeEventId?: string;
  [key: string]: unknown;
}

/** An event to append. `id` is a UUID chosen by the caller, so retries are recognisable. */
export interface EventData {
  id: string;
  type: string;
  data: unknown;
  metadata?: EventMetadata;
}

export interface RecordedEvent {
  streamId: string;
  /** 0-based revision within the stream. */
  revision: bigint;
  /** Position in `$all` (EventStoreDB's commit position; prepare is equal for single appends). */
  position: bigint;
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  created: Date;
}

export interface AppendResult {
  /** Revision of the last event now in the stream: pass it as the next `expectedRevision`. */
  nextExpectedRevision: bigint;
  /** `$all` position of the last event of this append (the original one on an idempotent retry). */
  position: bigint;
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  fromRevision?: bigint | 'start' | 'end';
  direction?: Direction;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Inclusive, as EventStoreDB's `readAll`. Defaults to the start (forwards) or the end (backwards). */
  fromPosition?: bigint | 'start' | 'end';
  direction?: Direction;
  maxCount?: number;
}

export interface SubscriptionFilter {
  /** Keep events whose stream id starts with any of these. */
  streamPrefixes?: string[];
  /** Keep events whose type is any of these. */
  eventTypes?: string[];
}

export interface SubscribeToAllOptions {
  /** Exclusive: the first event delivered is the one after this position. Defaults to the start. */
  fromPosition?: bigint | 'start' | 'end';
  filter?: SubscriptionFilter;
}

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  /** Every event stored when the subscription started has been delivered; live events follow. */
  | { kind: 'caughtUp' };

/** An open subscription. Iterate it for messages; `close()` ends the iteration. */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends `events` if the stream is at `expectedRevision`. With no events it only checks
   * the revision: the result is the stream's last revision and position (-1 and -1 for a
   * stream without events), and nothing is written.
   */
  append(stream: string, events: EventData[], options: AppendOptions): Promise<AppendResult>;
  /** Throws StreamNotFoundError when the stream has no events. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  close(): Promise<void>;
  /** Why the store can append no more in this process (a part of it stopped), if it cannot. */
  failure?(): Error | undefined;
}

/** The stream was not at the revision the append expected. */
export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's revision when the append was refused, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(
      `Wrong expected version on ${stream}: expected ${String(expected)}, actual ${String(actual)}`,
    );
  }
}

export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';
  constructor(readonly stream: string) {
    super(`Stream not found: ${stream}`);
  }
}

export function matchesFilter(
  event: Pick<RecordedEvent, 'streamId' | 'type'>,
  filter: SubscriptionFilter | undefined,
): boolean {
  if (!filter) return true;
  const { streamPrefixes, eventTypes } = filter;
  if (streamPrefixes?.length && !streamPrefixes.some((p) => event.streamId.startsWith(p))) {
    return false;
  }
  if (eventTypes?.length && !eventTypes.includes(event.type)) return false;
  return true;
}

/**
 * Stream and type names both stores take. EventStoreDB keeps `$` names for its own streams
 * and events and leaves them out of `$all`: refused by both, so whatever is appended is
 * read back by projections on either store.
 */
export function checkNames(stream: string, events: readonly EventData[]): void {
  if (typeof stream !== 'string' || stream.length === 0) {
    throw new TypeError('A stream name must be a non-empty string');
  }
  if (stream.startsWith('$')) {
    throw new TypeError(`Stream names starting with $ are EventStoreDB's own: ${stream}`);
  }
  for (const event of events) {
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`Event ${event.id} needs a non-empty type`);
    }
    if (event.type.startsWith('$')) {
      throw new TypeError(`Event types starting with $ are EventStoreDB's own: ${event.type}`);
    }
  }
}

/**
 * The most bytes of data and metadata, as JSON, one append may carry: EventStoreDB's default
 * MaxAppendSize (1 MiB). SQLite has no limit of its own; both refuse past it, so whatever one
 * store takes the other does too.
 */
export const MAX_APPEND_BYTES = 1024 * 1024;

export function checkAppendSize(events: readonly { data: string; metadata: string }[]): void {
  let bytes = 0;
  for (const event of events)
    bytes += Buffer.byteLength(event.data) + Buffer.byteLength(event.metadata);
  if (bytes > MAX_APPEND_BYTES) {
    throw new RangeError(
      `An append may carry at most ${MAX_APPEND_BYTES} bytes of JSON (EventStoreDB's default); this one has ${bytes}`,
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Validates the ids of one append, as both stores do before writing anything, and returns
 * them lower-cased, as EventStoreDB reports them.
 */
export function normaliseEventIds(events: readonly EventData[]): string[] {
  const ids = events.map((event) => {
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new TypeError(`Event id must be a UUID, got ${JSON.stringify(event.id)}`);
    }
    return event.id.toLowerCase();
  });
  if (new Set(ids).size !== ids.length) {
    throw new TypeError('The events of one append must have distinct ids');
  }
  return ids;
}
