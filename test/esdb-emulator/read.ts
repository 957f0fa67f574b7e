/**
 * Streams.Read: stream and `$all` reads in both directions, and subscriptions
 * (EventStore.Core/Services/Transport/Grpc/Streams.Read.cs and the Enumerators.*.cs it dispatches to).
 */
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { drained, type ReadCall } from './call';
import { type EventFilter, toEventFilter } from './filter';
import { streamsPb } from './generated';
import type { EventLog, StoredEvent } from './log';
import { subscribeToAll, subscribeToStream } from './subscribe';
import { readEventResponse, streamIdentifier, streamNameOf, type UuidFormat } from './wire';

const FORWARDS = 0;

export function readHandler(log: EventLog) {
  return (call: ReadCall) => {
    try {
      serveRead(log, call);
    } catch (error) {
      call.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  };
}

function serveRead(log: EventLog, call: ReadCall): void {
  const options = call.request.getOptions();
  if (!options) throw new Error('ReadReq.options is required');
  // UUIDOption: ids come back as strings when the client asks for strings, structured otherwise.
  const uuidFormat: UuidFormat = options.getUuidOption()?.hasString() ? 'string' : 'structured';
  const filter = options.hasFilter() ? options.getFilter() : undefined;
  const forwards = options.getReadDirection() === FORWARDS;

  if (options.hasSubscription()) {
    if (!forwards) throw new Error('Subscriptions read forwards only');
    const stream = options.getStream();
    const all = options.getAll();
    if (stream) subscribeToStream(log, call, stream, uuidFormat);
    else if (all) subscribeToAll(log, call, all, filter, uuidFormat);
    else throw new Error('A subscription needs a stream or $all');
    return;
  }

  const count = BigInt(options.getCount());
  const stream = options.getStream();
  if (stream) {
    const name = streamNameOf(stream.getStreamIdentifier());
    const events = log.readStream(name);
    // ReadStreamForwards/Backwards: a stream without events answers with StreamNotFound, not an error.
    if (!events) {
      const notFound = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(
        streamIdentifier(name),
      );
      call.write(new streamsPb.ReadResp().setStreamNotFound(notFound));
      call.end();
      return;
    }
    send(call, streamSlice(events, stream, forwards, count), uuidFormat);
    return;
  }
  const all = options.getAll();
  if (!all) throw new Error('A read needs a stream or $all');
  const matches = filter ? toEventFilter(filter) : undefined;
  send(call, allSlice(log, all, forwards, count, matches), uuidFormat);
}

function streamSlice(
  events: readonly StoredEvent[],
  options: ReadReq.Options.StreamOptions,
  forwards: boolean,
  count: bigint,
): StoredEvent[] {
  const last = events.length - 1;
  if (forwards) {
    // ReadStreamEventsForward: from the given revision (inclusive) up; from End there is nothing to read.
    const from = options.hasEnd()
      ? events.length
      : options.hasRevision()
        ? options.getRevision()
        : 0;
    return take(events, Number(from), 1, count);
  }
  // ReadStreamEventsBackward: from the given revision (inclusive) down, from End the last event;
  // the backwards enumerator keeps paging down, so a revision past the end starts at the last event.
  const from = options.hasRevision() ? Math.min(Number(options.getRevision()), last) : last;
  return take(events, from, -1, count);
}

function allSlice(
  log: EventLog,
  options: ReadReq.Options.AllOptions,
  forwards: boolean,
  count: bigint,
  matches: EventFilter | undefined,
): StoredEvent[] {
  const all = log.readAll();
  const position = options.getPosition();
  let from: number;
  if (forwards) {
    // ReadAllEventsForward: from the given position, inclusive.
    from = options.hasEnd()
      ? all.length
      : position
        ? log.indexAtOrAfter(BigInt(position.getCommitPosition()))
        : 0;
  } else {
    // ReadAllEventsBackward: the records before the given position (exclusive), from End the last one.
    from = options.hasStart()
      ? -1
      : position
        ? log.indexAtOrAfter(BigInt(position.getCommitPosition())) - 1
        : all.length - 1;
  }
  return take(all, from, forwards ? 1 : -1, count, matches);
}

function take(
  events: readonly StoredEvent[],
  from: number,
  step: 1 | -1,
  count: bigint,
  matches?: EventFilter,
): StoredEvent[] {
  const taken: StoredEvent[] = [];
  for (let i = from; i >= 0 && i < events.length && BigInt(taken.length) < count; i += step) {
    const event = events[i]!;
    if (!matches || matches(event)) taken.push(event);
  }
  return taken;
}

function send(call: ReadCall, events: StoredEvent[], uuidFormat: UuidFormat): void {
  const write = async () => {
    for (const event of events) {
      if (call.cancelled) return;
      if (!call.write(readEventResponse(event, uuidFormat))) await drained(call);
    }
    call.end();
  };
  write().catch((error: unknown) =>
    call.destroy(error instanceof Error ? error : new Error(String(error))),
  );
}
