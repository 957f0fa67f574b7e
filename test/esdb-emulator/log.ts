/**
 * The emulator's in-memory transaction log: one ordered list of events (`$all`)
 * plus an index per stream, with EventStoreDB's write decision rules.
 */

export interface StoredEvent {
  streamId: string;
  /** 0-based event number in the stream. */
  revision: bigint;
  /** Log position; commit = prepare, as for EventStoreDB 20+ writes. */
  position: bigint;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as EventStoreDB's `created` metadata. */
  created: bigint;
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

/** EventStoreDB's ExpectedVersion constants (EventStore.Core/Data/ExpectedVersion.cs): Any = -2, NoStream = -1, StreamExists = -4. */
export type ExpectedVersion = bigint | 'any' | 'no_stream' | 'stream_exists';

export type WriteResult =
  | { kind: 'success'; lastRevision: bigint; position: bigint | undefined }
  | { kind: 'wrong_expected_version'; current: bigint };

/** -1: EventStoreDB's ExpectedVersion.NoStream, also the "current version" of a missing stream. */
export const NO_STREAM = -1n;

const TICKS_PER_MS = 10_000n;
// A prepare record's fixed part (header, ids, flags, timestamps) in the TF log; positions are byte offsets.
const PREPARE_RECORD_OVERHEAD = 86n;

export class EventLog {
  private readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Event id -> last event written with it: IndexWriter's `_committedEvents` (unbounded here). */
  private readonly committedEvents = new Map<string, StoredEvent>();
  private readonly listeners = new Set<(event: StoredEvent) => void>();
  private logEnd = 0n;

  lastRevision(streamId: string): bigint {
    const events = this.streams.get(streamId);
    return events ? BigInt(events.length - 1) : NO_STREAM;
  }

  /** The current end of the log: the position the next write will get. */
  get end(): bigint {
    return this.logEnd;
  }

  /**
   * IndexWriter.CheckCommit (EventStore.Core/Services/Storage/ReaderIndex/IndexWriter.cs),
   * followed by the write itself when the decision is Ok.
   */
  write(streamId: string, expected: ExpectedVersion, proposed: ProposedEvent[]): WriteResult {
    const current = this.lastRevision(streamId);
    const wrong = { kind: 'wrong_expected_version', current } as const;

    // CheckCommit: StreamExists on a stream without events is a wrong expected version.
    if (expected === 'stream_exists' && current < 0n) return wrong;

    // CheckCommit: Any/StreamExists retries are recognised through the committed-events cache by event id.
    if (expected === 'any' || expected === 'stream_exists') {
      const seen = proposed.map((e) => this.committedEvents.get(e.id));
      const first = seen[0];
      if (!first || first.streamId !== streamId) return this.commit(streamId, current, proposed);
      // CheckCommit: a partly known batch is CorruptedIdempotency, answered as WrongExpectedVersion (StorageWriterService).
      if (seen.some((e) => !e || e.streamId !== streamId)) return wrong;
      return this.idempotent(seen[seen.length - 1]!);
    }

    const expectedVersion = expected === 'no_stream' ? NO_STREAM : expected;
    // CheckCommit: at an exact version below the current one, compare ids with the events that follow it.
    if (expectedVersion < current) {
      const stored = this.streams.get(streamId)!;
      let eventNumber = expectedVersion;
      for (const event of proposed) {
        eventNumber += 1n;
        if (stored[Number(eventNumber)]?.id === event.id) continue;
        // First event differs: WrongExpectedVersion; a later one: CorruptedIdempotency, also sent as WrongExpectedVersion.
        return wrong;
      }
      // CheckCommit: no data in the transaction at a stale version is a wrong expected version.
      if (eventNumber === expectedVersion) return wrong;
      return this.idempotent(stored[Number(eventNumber)]!);
    }
    if (expectedVersion > current) return wrong;
    return this.commit(streamId, current, proposed);
  }

  readStream(streamId: string): readonly StoredEvent[] | undefined {
    return this.streams.get(streamId);
  }

  readAll(): readonly StoredEvent[] {
    return this.all;
  }

  /** Index in `$all` of the first event at or after `position`. */
  indexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.all[mid]!.position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Called synchronously for every committed event, in log order. Returns an unsubscribe. */
  onCommitted(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // StorageMessage.AlreadyCommitted: success with the original last event number and its log position.
  private idempotent(last: StoredEvent): WriteResult {
    return { kind: 'success', lastRevision: last.revision, position: last.position };
  }

  private commit(streamId: string, current: bigint, proposed: ProposedEvent[]): WriteResult {
    if (proposed.length === 0)
      return { kind: 'success', lastRevision: current, position: undefined };
    let events = this.streams.get(streamId);
    if (!events) {
      events = [];
      this.streams.set(streamId, events);
    }
    const created = BigInt(Date.now()) * TICKS_PER_MS;
    const written: StoredEvent[] = [];
    for (const event of proposed) {
      const stored: StoredEvent = {
        ...event,
        streamId,
        revision: BigInt(events.length),
        position: this.logEnd,
        created,
      };
      this.logEnd += recordSize(stored);
      events.push(stored);
      this.all.push(stored);
      this.committedEvents.set(stored.id, stored);
      written.push(stored);
    }
    for (const stored of written) for (const listener of this.listeners) listener(stored);
    const last = written[written.length - 1]!;
    return { kind: 'success', lastRevision: last.revision, position: last.position };
  }
}

function recordSize(event: StoredEvent): bigint {
  const text = Buffer.byteLength(event.streamId) + Buffer.byteLength(event.type);
  return PREPARE_RECORD_OVERHEAD + BigInt(text + event.data.length + event.metadata.length);
}
