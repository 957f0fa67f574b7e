import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsdbEventStore } from '../../server/eventstore/esdb';
import type { EventData, SubscriptionMessage } from '../../server/eventstore/port';
import { type EsdbEmulator, startEsdbEmulator } from './index';

// Adapter behaviour the shared contract cannot see: what EventStoreDB adds (system events),
// the client's stream mechanics (caught-up ordering under backpressure), and shutdown.
let emulator: EsdbEmulator;
let client: EventStoreDBClient;
let store: EsdbEventStore;
beforeAll(async () => {
  emulator = await startEsdbEmulator();
  client = EventStoreDBClient.connectionString(emulator.connectionString);
  store = EsdbEventStore.connect(emulator.connectionString);
});
afterAll(async () => {
  await store.close();
  await client.dispose();
  await emulator.close();
});

const event = (type = 'AdapterTested'): EventData => ({ id: randomUUID(), type, data: {} });

async function head(): Promise<bigint | 'start'> {
  const [last] = await store.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 });
  return last?.position ?? 'start';
}

async function writeSystemEvents(stream: string): Promise<void> {
  await client.setStreamMetadata(stream, { maxCount: 10 });
  await client.appendToStream(`$ce-${randomUUID()}`, jsonEvent({ type: 'Linked', data: {} }));
  await client.appendToStream(stream, jsonEvent({ type: '$internal', data: {} }));
}

describe('EventStoreDB adapter', () => {
  it('never returns system events from readAll, and still fills maxCount with others', async () => {
    const stream = `adapter-${randomUUID()}`;
    const from = await head();
    const first = event();
    await store.append(stream, [first], { expectedRevision: 'no_stream' });
    await writeSystemEvents(stream);
    const second = event();
    await store.append(stream, [second], { expectedRevision: 'any' });
    const read = await store.readAll({ fromPosition: from, maxCount: 2 });
    expect(read.map((e) => e.id)).toEqual([first.id, second.id]);
  });

  it('never delivers system events to subscribers', async () => {
    const stream = `adapter-${randomUUID()}`;
    const from = await head();
    const mine = event();
    await writeSystemEvents(stream);
    await store.append(stream, [mine], { expectedRevision: 'any' });
    const subscription = store.subscribeToAll({ fromPosition: from });
    const delivered: string[] = [];
    for await (const message of subscription) {
      if (message.kind === 'caughtUp') break;
      delivered.push(message.event.streamId);
    }
    await subscription.close();
    expect(delivered).toEqual([stream]);
  });

  it('reads $all backwards from a position including the event at it', async () => {
    const stream = `adapter-${randomUUID()}`;
    const [a, b] = [event(), event()];
    await store.append(stream, [a, b], { expectedRevision: 'no_stream' });
    const [, atB] = await store.readStream(stream);
    const read = await store.readAll({
      direction: 'backwards',
      fromPosition: atB!.position,
      maxCount: 2,
    });
    expect(read.map((e) => e.id)).toEqual([b.id, a.id]);
  });

  it('filters on stream prefix and event type together', async () => {
    const prefix = `adapter-${randomUUID()}`;
    const from = await head();
    const wanted = event('Wanted');
    await store.append(`${prefix}-a`, [event('Other'), wanted], { expectedRevision: 'any' });
    await store.append(`elsewhere-${randomUUID()}`, [event('Wanted')], { expectedRevision: 'any' });
    const subscription = store.subscribeToAll({
      fromPosition: from,
      filter: { streamPrefixes: [prefix], eventTypes: ['Wanted'] },
    });
    const delivered: string[] = [];
    for await (const message of subscription) {
      if (message.kind === 'caughtUp') break;
      delivered.push(message.event.id);
    }
    await subscription.close();
    expect(delivered).toEqual([wanted.id]);
  });

  it('signals caught-up after exactly the stored events, even for a slow reader', async () => {
    const prefix = `adapter-${randomUUID()}`;
    const from = await head();
    const stored = Array.from({ length: 3_000 }, () => event());
    for (let i = 0; i < stored.length; i += 500) {
      await store.append(`${prefix}-a`, stored.slice(i, i + 500), { expectedRevision: 'any' });
    }
    const subscription = store.subscribeToAll({
      fromPosition: from,
      filter: { streamPrefixes: [prefix] },
    });
    const before: string[] = [];
    const iterator = subscription[Symbol.asyncIterator]();
    let message: SubscriptionMessage | undefined;
    for (;;) {
      // Yield to I/O between reads, so the client's buffers fill up ahead of the reader.
      await new Promise<void>((resolve) => setImmediate(resolve));
      message = (await iterator.next()).value as SubscriptionMessage;
      if (message.kind === 'caughtUp') break;
      before.push(message.event.id);
    }
    expect(before).toEqual(stored.map((e) => e.id));
    const live = event();
    await store.append(`${prefix}-a`, [live], { expectedRevision: 'any' });
    const next = (await iterator.next()).value as SubscriptionMessage;
    expect(next.kind === 'event' && next.event.id).toBe(live.id);
    await subscription.close();
  });

  it('ends open subscriptions when the store closes', async () => {
    const own = EsdbEventStore.connect(emulator.connectionString);
    const subscription = own.subscribeToAll({ fromPosition: 'end' });
    const iterator = subscription[Symbol.asyncIterator]();
    expect(((await iterator.next()).value as SubscriptionMessage).kind).toBe('caughtUp');
    const ended = iterator.next();
    await own.close();
    expect((await ended).done).toBe(true);
  });
});
