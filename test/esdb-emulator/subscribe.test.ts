import { randomUUID } from 'node:crypto';
import {
  END,
  EventStoreDBClient,
  eventTypeFilter,
  jsonEvent,
  NO_STREAM,
  type Position,
  START,
  streamNameFilter,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EsdbEmulator, startEsdbEmulator } from './index';

let emulator: EsdbEmulator;
let client: EventStoreDBClient;
beforeAll(async () => {
  emulator = await startEsdbEmulator();
  client = EventStoreDBClient.connectionString(emulator.connectionString);
});
afterAll(async () => {
  await client.dispose();
  await emulator.close();
});

const event = (type = 'Subscribed') => jsonEvent({ id: randomUUID(), type, data: {} });

type Message = { kind: 'event'; id: string; position: bigint | undefined } | { kind: 'caughtUp' };

/** Records events and the caught-up signal in the order the client's stream processed them. */
function record(subscription: NodeJS.EventEmitter) {
  const messages: Message[] = [];
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const waiter of waiters) waiter();
  };
  subscription.on('data', (resolved: { event?: { id: string; position?: Position } }) => {
    messages.push({
      kind: 'event',
      id: resolved.event!.id,
      position: resolved.event!.position?.commit,
    });
    changed();
  });
  subscription.on('caughtUp', () => {
    messages.push({ kind: 'caughtUp' });
    changed();
  });
  const until = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for messages')), 10_000);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { messages, until };
}

const caughtUp = (messages: Message[]) => messages.some((m) => m.kind === 'caughtUp');
const eventIds = (messages: Message[]) =>
  messages.flatMap((m) => (m.kind === 'event' ? [m.id] : []));

describe('stream subscriptions', () => {
  it('deliver the stored events, then caughtUp, then live events', async () => {
    const name = `sub-${randomUUID()}`;
    const stored = [event(), event()];
    await client.appendToStream(name, stored, { expectedRevision: NO_STREAM });
    const subscription = client.subscribeToStream(name, { fromRevision: START });
    const { messages, until } = record(subscription);
    await until(() => caughtUp(messages));
    const live = event();
    await client.appendToStream(name, live, { expectedRevision: 1n });
    await client.appendToStream(`other-${randomUUID()}`, event());
    await until(() => messages.length === 4);
    expect(messages).toEqual([
      expect.objectContaining({ id: stored[0]!.id }),
      expect.objectContaining({ id: stored[1]!.id }),
      { kind: 'caughtUp' },
      expect.objectContaining({ id: live.id }),
    ]);
    await subscription.unsubscribe();
  });

  it('from a revision start after it; from the end, only live events', async () => {
    const name = `sub-${randomUUID()}`;
    const stored = [event(), event(), event()];
    await client.appendToStream(name, stored, { expectedRevision: NO_STREAM });
    const fromRevision = client.subscribeToStream(name, { fromRevision: 0n });
    const afterZero = record(fromRevision);
    await afterZero.until(() => caughtUp(afterZero.messages));
    expect(eventIds(afterZero.messages)).toEqual([stored[1]!.id, stored[2]!.id]);
    const fromEnd = client.subscribeToStream(name, { fromRevision: END });
    const live = record(fromEnd);
    await live.until(() => caughtUp(live.messages));
    expect(eventIds(live.messages)).toEqual([]);
    await Promise.all([fromRevision.unsubscribe(), fromEnd.unsubscribe()]);
  });
});

describe('$all subscriptions', () => {
  it('start after the given position and signal caughtUp exactly after the stored events', async () => {
    const prefix = `all-${randomUUID()}`;
    const stored = Array.from({ length: 70 }, () => event());
    const result = await client.appendToStream(`${prefix}-a`, stored.slice(0, 1));
    await client.appendToStream(`${prefix}-a`, stored.slice(1));
    const subscription = client.subscribeToAll({
      fromPosition: result.position!,
      filter: streamNameFilter({ prefixes: [prefix] }),
    });
    const { messages, until } = record(subscription);
    await until(() => caughtUp(messages));
    expect(eventIds(messages)).toEqual(stored.slice(1).map((e) => e.id));
    expect(messages.at(-1)).toEqual({ kind: 'caughtUp' });
    await subscription.unsubscribe();
  });

  it('filtered by event type, send checkpoints every multiplier x 32 considered events', async () => {
    const wanted = `Wanted${randomUUID().replaceAll('-', '')}`;
    const start = await client.appendToStream(`cp-${randomUUID()}`, event());
    // 99 considered events after the start: pages of 32 end at 32, 64 and 96 before the end
    // of the log, each reaching the interval of 1 x 32, so three checkpoints while catching up.
    await client.appendToStream(
      `cp-${randomUUID()}`,
      Array.from({ length: 99 }, () => event()),
    );
    const checkpoints: bigint[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: start.position!,
      filter: eventTypeFilter({
        prefixes: [wanted],
        checkpointInterval: 1,
        checkpointReached: (_subscription, position) => {
          checkpoints.push(position.commit);
        },
      }),
    });
    const { messages, until } = record(subscription);
    await until(() => caughtUp(messages));
    expect(eventIds(messages)).toEqual([]);
    expect(checkpoints).toHaveLength(3);
    expect(checkpoints[1]!).toBeGreaterThan(checkpoints[0]!);

    // Live, the count goes on from the 3 events considered after the last page: the 29th live
    // event reaches 32 and gets a checkpoint at its position.
    const live = Array.from({ length: 40 }, () => event(wanted));
    await client.appendToStream(`cp-${randomUUID()}`, live);
    await until(() => eventIds(messages).length === 40);
    expect(eventIds(messages)).toEqual(live.map((e) => e.id));
    const livePositions = messages.flatMap((m) => (m.kind === 'event' ? [m.position] : []));
    expect(checkpoints.slice(3)).toEqual([livePositions[28]]);
    await subscription.unsubscribe();
  });
});
