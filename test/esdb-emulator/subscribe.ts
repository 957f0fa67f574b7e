/**
 * Catch-up subscriptions to one stream and to `$all`, as EventStoreDB 23.10 serves them
 * (Enumerators.StreamSubscription.cs, Enumerators.AllSubscription.cs, Enumerators.AllSubscriptionFiltered.cs):
 * a confirmation, the stored events after the start point, a CaughtUp message, then live events.
 */
import { randomUUID } from 'node:crypto';
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { drained, type ReadCall } from './call';
import { toEventFilter } from './filter';
import { streamsPb } from './generated';
import type { EventLog, StoredEvent } from './log';
import { readEventResponse, streamNameOf, type UuidFormat } from './wire';

/** Enumerators.ReadBatchSize: catch-up reads pages of 32 events, also the default filter search window. */
const READ_BATCH_SIZE = 32;

interface Catchup {
  /** The events the subscription reads, re-read every page since the log grows meanwhile. */
  source: () => readonly StoredEvent[];
  from: number;
  /** Live events this subscription is about at all (its stream, or every event for `$all`). */
  covers: (event: StoredEvent) => boolean;
  matches: (event: StoredEvent) => boolean;
  checkpoints?: { window: number; interval: number };
}

export function subscribeToStream(
  log: EventLog,
  call: ReadCall,
  options: ReadReq.Options.StreamOptions,
  uuidFormat: UuidFormat,
): void {
  const name = streamNameOf(options.getStreamIdentifier());
  const source = () => log.readStream(name) ?? [];
  // StreamSubscription: from a revision the first event delivered is the next one; End starts live.
  const from = options.hasEnd()
    ? source().length
    : options.hasRevision()
      ? Number(options.getRevision()) + 1
      : 0;
  run(log, call, uuidFormat, {
    source,
    from,
    covers: (event) => event.streamId === name,
    matches: () => true,
  });
}

export function subscribeToAll(
  log: EventLog,
  call: ReadCall,
  options: ReadReq.Options.AllOptions,
  filterOptions: ReadReq.Options.FilterOptions | undefined,
  uuidFormat: UuidFormat,
): void {
  const source = () => log.readAll();
  const position = options.getPosition();
  // AllSubscription.Subscribe: from a position, read the event there and start after it (exclusive); End starts live.
  const from = options.hasEnd()
    ? source().length
    : position
      ? log.indexAtOrAfter(BigInt(position.getCommitPosition()) + 1n)
      : 0;
  if (!filterOptions) {
    run(log, call, uuidFormat, { source, from, covers: () => true, matches: () => true });
    return;
  }
  // AllSubscriptionFiltered: checkpoint interval = multiplier x search window (Count window = ReadBatchSize).
  const window = filterOptions.hasMax() ? filterOptions.getMax() : READ_BATCH_SIZE;
  const interval = filterOptions.getCheckpointintervalmultiplier() * window;
  if (interval <= 0) throw new Error('checkpointIntervalMultiplier must be positive');
  run(log, call, uuidFormat, {
    source,
    from,
    covers: () => true,
    matches: toEventFilter(filterOptions),
    checkpoints: { window, interval },
  });
}

function run(log: EventLog, call: ReadCall, uuidFormat: UuidFormat, catchup: Catchup): void {
  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(
    randomUUID(),
  );
  call.write(new streamsPb.ReadResp().setConfirmation(confirmation));
  catchUpThenLive(log, call, uuidFormat, catchup).catch((error: unknown) =>
    call.destroy(error instanceof Error ? error : new Error(String(error))),
  );
}

async function catchUpThenLive(
  log: EventLog,
  call: ReadCall,
  uuidFormat: UuidFormat,
  { source, from, covers, matches, checkpoints }: Catchup,
): Promise<void> {
  const pageSize = checkpoints?.window ?? READ_BATCH_SIZE;
  let index = from;
  // Events considered since the last checkpoint, matching or not (FilteredReadAllEventsForwardCompleted.ConsideredEventsCount).
  let considered = 0;
  for (;;) {
    if (call.cancelled) return;
    const events = source();
    // No await between this check and the live registration below: nothing can slip in between.
    if (index >= events.length) break;
    const page = events.slice(index, index + pageSize);
    index += page.length;
    let lastPosition = page[0]!.position;
    let writable = true;
    for (const event of page) {
      if (!matches(event)) continue;
      writable = call.write(readEventResponse(event, uuidFormat));
      lastPosition = event.position;
    }
    if (checkpoints) {
      considered += page.length;
      // AllSubscriptionFiltered.CatchUp: after a page that is not the end, checkpoint once the interval is reached.
      if (index < source().length && considered >= checkpoints.interval) {
        considered %= checkpoints.interval;
        writable = call.write(checkpoint(lastPosition));
      }
    }
    if (!writable) await drained(call);
  }

  // GoLive: once the stored events are delivered, CaughtUp, then live events.
  call.write(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
  const unsubscribe = log.onCommitted((event) => {
    if (!covers(event)) return;
    if (matches(event)) call.write(readEventResponse(event, uuidFormat));
    if (!checkpoints) return;
    // SubscriptionsService.ProcessEventCommited: every event counts; a checkpoint at the one reaching the interval.
    considered += 1;
    if (considered >= checkpoints.interval) {
      considered = 0;
      call.write(checkpoint(event.position));
    }
  });
  call.once('cancelled', unsubscribe);
  call.once('close', unsubscribe);
}

function checkpoint(position: bigint) {
  const checkpointMessage = new streamsPb.ReadResp.Checkpoint()
    .setCommitPosition(position.toString())
    .setPreparePosition(position.toString());
  return new streamsPb.ReadResp().setCheckpoint(checkpointMessage);
}
