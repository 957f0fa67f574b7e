import { randomUUID } from 'node:crypto';
import {
  ANY,
  type AppendExpectedRevision,
  EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverFeaturesGrpc, sharedPb } from './generated';
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

const event = (type = 'Tested') => jsonEvent({ id: randomUUID(), type, data: { at: Date.now() } });
const stream = () => `append-${randomUUID()}`;
const wrongVersionOf = async (attempt: Promise<unknown>) => {
  const error = await attempt.then(
    () => new Error('the append succeeded'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  return error as WrongExpectedVersionError;
};

// The 6.2.1 client appends through BatchAppend when the server lists it, and through Append
// when call credentials are given (ignored on an insecure connection): both paths are covered.
const paths = [
  { name: 'BatchAppend', options: {} },
  { name: 'Append', options: { credentials: { username: 'admin', password: 'changeit' } } },
] as const;

describe('ServerFeatures', () => {
  it('lists the served methods lower-case, with Read features, as a 23.10 server', async () => {
    const address = emulator.connectionString.replace('esdb://', '').replace('?tls=false', '');
    const features = new serverFeaturesGrpc.ServerFeaturesClient(
      address,
      credentials.createInsecure(),
    );
    const answer = await new Promise<{ version: string; methods: string[] }>((resolve, reject) =>
      features.getSupportedMethods(new sharedPb.Empty(), (error, methods) => {
        if (error) return reject(error);
        resolve({
          version: methods.getEventStoreServerVersion(),
          methods: methods
            .getMethodsList()
            .map((m) => `${m.getServiceName()}/${m.getMethodName()}:${m.getFeaturesList()}`),
        });
      }),
    );
    features.close();
    expect(answer.version).toBe('23.10.0');
    expect(answer.methods).toEqual(
      expect.arrayContaining([
        'event_store.client.streams.streams/read:position,events',
        'event_store.client.streams.streams/batchappend:',
      ]),
    );
  });
});

for (const path of paths) {
  describe(`appending through ${path.name}`, () => {
    const append = (
      name: string,
      events: ReturnType<typeof event>[],
      expectedRevision: AppendExpectedRevision,
    ) => client.appendToStream(name, events, { ...path.options, expectedRevision });

    it('numbers events from 0 and reports the last revision and its $all position', async () => {
      const name = stream();
      const first = await append(name, [event(), event()], NO_STREAM);
      expect(first.nextExpectedRevision).toBe(1n);
      expect(first.position!.commit).toBe(first.position!.prepare);
      const second = await append(name, [event()], 1n);
      expect(second.nextExpectedRevision).toBe(2n);
      expect(second.position!.commit).toBeGreaterThan(first.position!.commit);
    });

    it('refuses a wrong exact revision, reporting expected and current as the server sends them', async () => {
      const name = stream();
      await append(name, [event(), event()], NO_STREAM);
      const error = await wrongVersionOf(append(name, [event()], 0n));
      expect(error.streamName).toBe(name);
      expect(error.expectedVersion).toBe(0n);
      expect(error.actualVersion).toBe(1n);
    });

    it('refuses no_stream on an existing stream and stream_exists on a missing one', async () => {
      const name = stream();
      await append(name, [event()], ANY);
      const exists = await wrongVersionOf(append(name, [event()], NO_STREAM));
      expect(exists.expectedVersion).toBe('no_stream');
      expect(exists.actualVersion).toBe(0n);
      const missing = await wrongVersionOf(append(stream(), [event()], STREAM_EXISTS));
      expect(missing.expectedVersion).toBe('stream_exists');
      expect(missing.actualVersion).toBe('no_stream');
    });

    it('refuses an exact revision beyond the end', async () => {
      const name = stream();
      await append(name, [event()], NO_STREAM);
      const error = await wrongVersionOf(append(name, [event()], 5n));
      expect(error.actualVersion).toBe(0n);
    });

    it('accepts a retry at a stale exact revision whose ids match, reporting the original position', async () => {
      const name = stream();
      const batch = [event(), event()];
      await append(name, [event()], NO_STREAM);
      const original = await append(name, batch, 0n);
      await append(name, [event()], 2n);
      const retry = await append(name, batch, 0n);
      expect(retry.nextExpectedRevision).toBe(2n);
      expect(retry.position).toEqual(original.position);
      const stored = [];
      for await (const resolved of client.readStream(name)) stored.push(resolved.event!.id);
      expect(stored).toHaveLength(4);
    });

    it('accepts a no_stream retry when the stream starts with the same events', async () => {
      const name = stream();
      const batch = [event(), event()];
      const original = await append(name, batch, NO_STREAM);
      const retry = await append(name, batch, NO_STREAM);
      expect(retry).toEqual(original);
    });

    it('treats a retry whose ids only partly match as a conflict', async () => {
      const name = stream();
      const [a, b] = [event(), event()];
      await append(name, [a, b], NO_STREAM);
      const error = await wrongVersionOf(append(name, [a, event()], NO_STREAM));
      expect(error.actualVersion).toBe(1n);
      await wrongVersionOf(append(name, [event(), b], NO_STREAM));
    });

    it('recognises a retry with expected revision any by its event ids', async () => {
      const name = stream();
      const batch = [event(), event()];
      const original = await append(name, batch, ANY);
      await append(name, [event()], ANY);
      const retry = await append(name, batch, ANY);
      expect(retry).toEqual(original);
    });
  });
}
