/**
 * Command handling: read a stream, ask a decider, append with the exact revision read.
 * A concurrent writer makes the append fail with WrongExpectedVersion; the command is
 * then decided again on the fresh state, so the store, not this process, decides who
 * wins. Product commands take the same steps a batch at a time (catalog/products.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Decider } from './domain/decider';
import { checkEvent, checkNewEvents } from './domain/event-check';
import type { DomainEvent } from './domain/events';
import type { EventMetadata, EventStore, ExpectedRevision } from './eventstore/port';
import { StreamNotFoundError, WrongExpectedVersionError } from './eventstore/port';

export interface Loaded<S> {
  state: S;
  revision: bigint | 'no_stream';
}

export interface Handled<S, E> extends Loaded<S> {
  /** The events this command appended (empty when there was nothing to do). */
  events: E[];
  /** `$all` position of the last event appended, when something was. */
  position?: bigint;
}

export interface HandleOptions<S, E> {
  metadata: EventMetadata;
  /** Deterministic ids make a retried command recognisable to the store as already written. */
  eventId?: (event: E, index: number) => string;
  /** The stream as the caller already read it: the first attempt decides on it instead of reading again. */
  loaded?: Loaded<S>;
}

const PAGE = 1000;

/** How often a command that keeps losing to concurrent writers is decided again before giving up. */
const MAX_ATTEMPTS = 8;

export async function loadStream<S, C, E extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<S, C, E>,
  from?: Loaded<S>,
): Promise<Loaded<S>> {
  let { state, revision } = from ?? {
    state: decider.initialState(),
    revision: 'no_stream' as const,
  };
  try {
    // Pages keep memory flat when a long product stream is folded for the first time.
    for (;;) {
      const fromRevision = revision === 'no_stream' ? 'start' : revision + 1n;
      const page = await store.readStream(stream, { fromRevision, maxCount: PAGE });
      for (const recorded of page) {
        state = decider.evolve(state, checkEvent(recorded) as E);
        revision = recorded.revision;
      }
      if (page.length < PAGE) break;
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return { state, revision };
}

export async function handleCommand<S, C, E extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<S, C, E>,
  command: C,
  options: HandleOptions<S, E>,
): Promise<Handled<S, E>> {
  for (let attempt = 1; ; attempt++) {
    const loaded =
      attempt === 1 && options.loaded ? options.loaded : await loadStream(store, stream, decider);
    const events = decider.decide(command, loaded.state);
    if (events.length === 0) return { ...loaded, events };
    checkNewEvents(stream, events);
    const expectedRevision: ExpectedRevision = loaded.revision;
    try {
      const result = await store.append(
        stream,
        events.map((event, index) => ({
          id: options.eventId?.(event, index) ?? randomUUID(),
          type: event.type,
          data: event.data,
          metadata: options.metadata,
        })),
        { expectedRevision },
      );
      const state = events.reduce((s, e) => decider.evolve(s, e), loaded.state);
      return { state, revision: result.nextExpectedRevision, events, position: result.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
