import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  type ResolvedEvent,
  StreamNotFoundError,
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

const event = (n: number) =>
  jsonEvent({ id: randomUUID(), type: 'Read', data: { n }, metadata: { correlationId: 'c' } });

async function collect(read: AsyncIterable<ResolvedEvent>) {
  const events = [];
  for await (const resolved of read) events.push(resolved.event!);
  return events;
}

async function streamOf(count: number) {
  const name = `read-${randomUUID()}`;
  await client.appendToStream(
    name,
    Array.from({ length: count }, (_, n) => event(n)),
    { expectedRevision: NO_STREAM },
  );
  return name;
}

describe('stream reads', () => {
  it('read forwards from a revision with a count, with data, metadata and positions', async () => {
    const name = await streamOf(5);
    const events = await collect(client.readStream(name, { fromRevision: 1n, maxCount: 3 }));
    expect(events.map((e) => e.revision)).toEqual([1n, 2n, 3n]);
    expect(events.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(events[0]!.metadata).toEqual({ correlationId: 'c' });
    expect(events[0]!.isJson).toBe(true);
    expect(events[0]!.created.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(events[0]!.position!.commit).toBe(events[0]!.position!.prepare);
  });

  it('read backwards from the end or from a revision', async () => {
    const name = await streamOf(5);
    const fromEnd = await collect(
      client.readStream(name, { direction: BACKWARDS, fromRevision: END, maxCount: 2 }),
    );
    expect(fromEnd.map((e) => e.revision)).toEqual([4n, 3n]);
    const fromTwo = await collect(
      client.readStream(name, { direction: BACKWARDS, fromRevision: 2n }),
    );
    expect(fromTwo.map((e) => e.revision)).toEqual([2n, 1n, 0n]);
  });

  it('read past the end of an existing stream returns nothing, not "not found"', async () => {
    const name = await streamOf(2);
    expect(await collect(client.readStream(name, { fromRevision: 10n }))).toEqual([]);
  });

  it('answers a missing stream with StreamNotFound', async () => {
    const missing = `missing-${randomUUID()}`;
    const error = await collect(client.readStream(missing)).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect((error as StreamNotFoundError).streamName).toBe(missing);
  });
});

describe('$all reads', () => {
  it('starts with the system events a fresh node writes, then the log in position order', async () => {
    const all = await collect(client.readAll());
    expect(all[0]!.streamId).toBe('$epoch-information');
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.position!.commit).toBeGreaterThan(all[i - 1]!.position!.commit);
    }
  });

  it('reads forwards from a position inclusive and backwards from before it', async () => {
    const name = await streamOf(3);
    const events = await collect(client.readStream(name));
    const middle = events[1]!.position!;
    const forwards = await collect(client.readAll({ fromPosition: middle, maxCount: 2 }));
    expect(forwards.map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id]);
    const backwards = await collect(
      client.readAll({ fromPosition: middle, direction: BACKWARDS, maxCount: 1 }),
    );
    expect(backwards.map((e) => e.id)).toEqual([events[0]!.id]);
  });

  it('reads backwards from the end, the last event first', async () => {
    const name = await streamOf(2);
    const [last] = await collect(
      client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }),
    );
    expect(last!.streamId).toBe(name);
    expect(last!.revision).toBe(1n);
  });
});
