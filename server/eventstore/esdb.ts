/**
 * The EventStoreDB adapter: the event store port over @eventstore/db-client 6.2.1,
 * mapping options, results and errors one to one. Selected by `EVENTSTORE_URL=esdb://...`.
 */
import {
  type AllStreamResolvedEvent,
  ANY,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  EventStoreDBClient,
  eventTypeFilter,
  excludeSystemEvents,
  FORWARDS,
  type JSONType,
  jsonEvent,
  NO_STREAM,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
  START,
  STREAM_EXISTS,
  streamNameFilter,
} from '@eventstore/db-client';
import { EsdbSubscription } from './esdb-subscription';
import {
  type AppendOptions,
  type AppendResult,
  checkAppendSize,
  checkNames,
  type EventData,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  matchesFilter,
  normaliseEventIds,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StreamNotFoundError,
  type SubscribeToAllOptions,
  type Subscription,
  type SubscriptionFilter,
  WrongExpectedVersionError,
} from './port';

/** Filtered `$all` subscriptions get a server checkpoint every 32 x 32 considered events. */
const CHECKPOINT_INTERVAL = 32;

export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new Set<EsdbSubscription>();
  /** Calls to the server under way: close() lets them finish before it disposes the client. */
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  private constructor(private readonly client: EventStoreDBClient) {}

  static connect(connectionString: string): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  append(stream: string, events: EventData[], options: AppendOptions): Promise<AppendResult> {
    return this.whileOpen(() => this.appendNow(stream, events, options));
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.whileOpen(() => this.readStreamNow(stream, options));
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.whileOpen(() => this.readAllNow(options));
  }

  /**
   * Runs one call to the server, refused once the store is closed, as the embedded store
   * refuses: disposing the client cancels its shared append stream, and a write made after
   * that would open a stream nobody closes.
   */
  private whileOpen<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The event store is closed'));
    const answer = call();
    const settled = answer.then(
      () => {},
      () => {},
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return answer;
  }

  private async appendNow(
    stream: string,
    events: EventData[],
    { expectedRevision }: AppendOptions,
  ): Promise<AppendResult> {
    // EventStoreDB would take two events with one id, a made-up id, or a `$` name (hidden
    // from `$all` after): refuse as SQLite does.
    checkNames(stream, events);
    normaliseEventIds(events);
    try {
      const result = await this.client.appendToStream(stream, toJsonEvents(events), {
        expectedRevision: toEsdbExpectedRevision(expectedRevision),
      });
      if (result.position) {
        return {
          nextExpectedRevision: result.nextExpectedRevision,
          position: result.position.commit,
        };
      }
      // No events: EventStoreDB checked the revision and wrote nothing, so it names no
      // position, and its client reads a missing stream's revision as 0: ask the stream.
      if (events.length > 0) throw new Error(`EventStoreDB reported no position for ${stream}`);
      return this.lastOf(stream);
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) {
        throw new WrongExpectedVersionError(stream, expectedRevision, error.actualVersion);
      }
      throw error;
    }
  }

  /** The stream's last revision and position, -1 and -1 for a stream without events (as the SQLite store). */
  private async lastOf(stream: string): Promise<AppendResult> {
    const none = { nextExpectedRevision: -1n, position: -1n };
    try {
      const [last] = await this.readStreamNow(stream, { direction: 'backwards', maxCount: 1 });
      return last ? { nextExpectedRevision: last.revision, position: last.position } : none;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return none;
      throw error;
    }
  }

  private async readStreamNow(
    stream: string,
    options: ReadStreamOptions,
  ): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const read = this.client.readStream(stream, {
      // Backwards from the start is the first event alone, as on the embedded store.
      fromRevision: direction === 'backwards' && from === 'start' ? 0n : toReadRevision(from),
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of read) {
        const event = toRecordedEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof EsdbStreamNotFoundError) throw new StreamNotFoundError(stream);
      throw error;
    }
    return events;
  }

  private async readAllNow(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const from = options.fromPosition ?? (direction === 'forwards' ? 'start' : 'end');
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (maxCount <= 0) return [];
    const events: RecordedEvent[] = [];
    if (direction === 'backwards' && typeof from === 'bigint') {
      // EventStoreDB reads `$all` backwards from *before* a position; the port includes it.
      const [atPosition] = await this.readAllPage('forwards', from, 1);
      if (atPosition?.position === from) events.push(atPosition);
    }
    if (events.length >= maxCount) return events;
    events.push(...(await this.readAllPage(direction, from, maxCount - events.length)));
    return events;
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    if (this.closed) throw new Error('The event store is closed');
    const from = options.fromPosition ?? 'start';
    const filter = options.filter;
    const inner = this.client.subscribeToAll({
      fromPosition: toAllPosition(from),
      filter: toServerFilter(filter),
    });
    const subscription = new EsdbSubscription(
      inner,
      (resolved) => {
        const event = toRecordedEvent(resolved);
        return event && !isSystemEvent(event) && matchesFilter(event, filter) ? event : undefined;
      },
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends under way are answered and written, as on the embedded store.
    await Promise.all(this.running);
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  /** One `$all` read, skipping system events but still returning up to `maxCount` others. */
  private async readAllPage(
    direction: 'forwards' | 'backwards',
    from: bigint | 'start' | 'end',
    maxCount: number,
  ): Promise<RecordedEvent[]> {
    const read = this.client.readAll({
      fromPosition: toAllPosition(from),
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
    });
    const events: RecordedEvent[] = [];
    for await (const resolved of read) {
      const event = toRecordedEvent(resolved);
      if (event && !isSystemEvent(event)) events.push(event);
      if (events.length >= maxCount) {
        // The read has no count, so system events cannot eat into ours; stop it once we have enough.
        await read.cancel();
        break;
      }
    }
    return events;
  }
}

function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

function toReadRevision(from: bigint | 'start' | 'end'): ReadRevision {
  if (from === 'start') return START;
  if (from === 'end') return END;
  return from;
}

/** Our `$all` position is the commit position; for EventStoreDB's own writes prepare equals it. */
function toAllPosition(from: bigint | 'start' | 'end'): ReadPosition {
  if (from === 'start') return START;
  if (from === 'end') return END;
  return { commit: from, prepare: from };
}

/**
 * The client serialises inside a promise nobody can catch (an unhandled rejection, and an
 * append that never settles): what cannot be JSON, or is too big, is refused here first, as
 * SQLite refuses it.
 */
function toJsonEvents(events: EventData[]) {
  checkAppendSize(
    events.map((event) => ({
      data: JSON.stringify(event.data ?? null),
      metadata: JSON.stringify(event.metadata ?? {}),
    })),
  );
  return events.map(toJsonEvent);
}

function toJsonEvent(event: EventData) {
  return jsonEvent({
    id: event.id,
    type: event.type,
    // No data is stored as null, as SQLite stores it (the client would hang on undefined).
    data: (event.data ?? null) as JSONType,
    metadata: event.metadata ?? {},
  });
}

/**
 * EventStoreDB filters on one field: stream prefixes when given (event types are then checked
 * here), otherwise the exact event types, otherwise everything but system events.
 */
function toServerFilter(filter: SubscriptionFilter | undefined) {
  if (filter?.streamPrefixes?.length) {
    return streamNameFilter({
      prefixes: filter.streamPrefixes,
      checkpointInterval: CHECKPOINT_INTERVAL,
    });
  }
  if (filter?.eventTypes?.length) {
    const alternatives = filter.eventTypes.map(escapeRegex).join('|');
    return eventTypeFilter({
      regex: `^(?:${alternatives})$`,
      checkpointInterval: CHECKPOINT_INTERVAL,
    });
  }
  return excludeSystemEvents({ checkpointInterval: CHECKPOINT_INTERVAL });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** EventStoreDB's own events (`$` streams or `$` types) never leave `$all` reads and subscriptions. */
function isSystemEvent(event: Pick<RecordedEvent, 'streamId' | 'type'>): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

function toRecordedEvent(
  resolved: ResolvedEvent | AllStreamResolvedEvent,
): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  if (!event.position) {
    throw new Error(`EventStoreDB returned ${event.streamId}@${event.revision} without a position`);
  }
  return {
    streamId: event.streamId,
    revision: event.revision,
    position: event.position.commit,
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: isMetadata(event.metadata) ? event.metadata : {},
    created: event.created,
  };
}

function isMetadata(value: unknown): value is EventMetadata {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}
