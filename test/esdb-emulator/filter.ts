/** Server-side `$all` filters, as EventStoreDB's EventFilter (EventStore.Core/Util/EventFilter.cs). */
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { StoredEvent } from './log';

export type EventFilter = (event: StoredEvent) => boolean;

// Streams.Read.ConvertToEventFilter: a regex when one is given, otherwise the prefixes.
export function toEventFilter(options: ReadReq.Options.FilterOptions): EventFilter {
  const onEventType = options.hasEventType();
  const expression = onEventType ? options.getEventType() : options.getStreamIdentifier();
  if (!expression) throw new Error('A filter needs a stream identifier or event type expression');
  const field = (event: StoredEvent) => (onEventType ? event.type : event.streamId);
  const regex = expression.getRegex();
  if (regex) {
    const pattern = new RegExp(regex);
    return (event) => pattern.test(field(event));
  }
  const prefixes = expression.getPrefixList();
  return (event) => prefixes.some((prefix) => field(event).startsWith(prefix));
}
