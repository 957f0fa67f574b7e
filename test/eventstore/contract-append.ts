import { describe, expect, it } from 'vitest';
import {
  type EventStore,
  MAX_APPEND_BYTES,
  StreamNotFoundError,
} from '../../server/eventstore/port';
import { conflictOf, ids, newEvent, newEvents, uniquePrefix } from './helpers';

export function describeAppends(store: () => EventStore): void {
  describe('append with an expected revision', () => {
    it('no_stream creates the stream, with revisions from 0', async () => {
      const stream = uniquePrefix('append');
      const events = newEvents(2);
      const result = await store().append(stream, events, { expectedRevision: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(1n);
      const stored = await store().readStream(stream);
      expect(stored.map((e) => e.revision)).toEqual([0n, 1n]);
      expect(ids(stored)).toEqual(ids(events));
      expect(stored[1]!.position).toBe(result.position);
    });

    it('no_stream on an existing stream is a conflict carrying stream, expected and actual', async () => {
      const stream = uniquePrefix('append');
      await store().append(stream, newEvents(2), { expectedRevision: 'no_stream' });
      const conflict = await conflictOf(
        store().append(stream, [newEvent()], { expectedRevision: 'no_stream' }),
      );
      expect(conflict.stream).toBe(stream);
      expect(conflict.expected).toBe('no_stream');
      expect(conflict.actual).toBe(1n);
    });

    it('any appends to a missing stream and to an existing one', async () => {
      const stream = uniquePrefix('append');
      const first = await store().append(stream, [newEvent()], { expectedRevision: 'any' });
      const second = await store().append(stream, newEvents(2), { expectedRevision: 'any' });
      expect(first.nextExpectedRevision).toBe(0n);
      expect(second.nextExpectedRevision).toBe(2n);
      expect(second.position).toBeGreaterThan(first.position);
    });

    it('no events writes nothing: it only checks the expected revision', async () => {
      const missing = uniquePrefix('append');
      expect(await store().append(missing, [], { expectedRevision: 'no_stream' })).toEqual({
        nextExpectedRevision: -1n,
        position: -1n,
      });
      await expect(store().readStream(missing)).rejects.toBeInstanceOf(StreamNotFoundError);
      const stream = uniquePrefix('append');
      const created = await store().append(stream, newEvents(2), { expectedRevision: 'no_stream' });
      for (const expectedRevision of [1n, 'any', 'stream_exists'] as const) {
        expect(await store().append(stream, [], { expectedRevision })).toEqual(created);
      }
      expect((await conflictOf(store().append(stream, [], { expectedRevision: 0n }))).actual).toBe(
        1n,
      );
      expect(
        (await conflictOf(store().append(missing, [], { expectedRevision: 'stream_exists' })))
          .actual,
      ).toBe('no_stream');
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    it('stream_exists on a missing stream is a conflict whose actual is no_stream', async () => {
      const stream = uniquePrefix('append');
      const conflict = await conflictOf(
        store().append(stream, [newEvent()], { expectedRevision: 'stream_exists' }),
      );
      expect(conflict.stream).toBe(stream);
      expect(conflict.expected).toBe('stream_exists');
      expect(conflict.actual).toBe('no_stream');
    });

    it('stream_exists appends to an existing stream', async () => {
      const stream = uniquePrefix('append');
      await store().append(stream, [newEvent()], { expectedRevision: 'no_stream' });
      const result = await store().append(stream, [newEvent()], {
        expectedRevision: 'stream_exists',
      });
      expect(result.nextExpectedRevision).toBe(1n);
    });

    it('the exact current revision appends', async () => {
      const stream = uniquePrefix('append');
      const created = await store().append(stream, newEvents(3), { expectedRevision: 'no_stream' });
      const result = await store().append(stream, newEvents(2), {
        expectedRevision: created.nextExpectedRevision,
      });
      expect(result.nextExpectedRevision).toBe(4n);
    });

    it('a stale exact revision is a conflict carrying the actual revision', async () => {
      const stream = uniquePrefix('append');
      await store().append(stream, newEvents(3), { expectedRevision: 'no_stream' });
      const conflict = await conflictOf(
        store().append(stream, [newEvent()], { expectedRevision: 0n }),
      );
      expect(conflict.stream).toBe(stream);
      expect(conflict.expected).toBe(0n);
      expect(conflict.actual).toBe(2n);
    });

    it('a revision ahead of the stream is a conflict', async () => {
      const stream = uniquePrefix('append');
      await store().append(stream, [newEvent()], { expectedRevision: 'no_stream' });
      const conflict = await conflictOf(
        store().append(stream, [newEvent()], { expectedRevision: 5n }),
      );
      expect(conflict.expected).toBe(5n);
      expect(conflict.actual).toBe(0n);
    });

    it('an exact revision on a missing stream is a conflict whose actual is no_stream', async () => {
      const stream = uniquePrefix('append');
      const conflict = await conflictOf(
        store().append(stream, [newEvent()], { expectedRevision: 0n }),
      );
      expect(conflict.expected).toBe(0n);
      expect(conflict.actual).toBe('no_stream');
      await expect(store().readStream(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
    });
  });

  describe('event ids', () => {
    it('an id that is no UUID, or one id twice in an append, is refused and nothing written', async () => {
      const stream = uniquePrefix('ids');
      const [event] = newEvents(1);
      await expect(
        store().append(stream, [{ ...event!, id: 'not-a-uuid' }], { expectedRevision: 'any' }),
      ).rejects.toThrow(/must be a UUID/);
      await expect(
        store().append(stream, [event!, { ...event! }], { expectedRevision: 'any' }),
      ).rejects.toThrow(/distinct ids/);
      await expect(store().readStream(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
    });
  });

  describe('names', () => {
    it("an empty name, or a stream or event type starting with $ (EventStoreDB's own), is refused and nothing written", async () => {
      const stream = uniquePrefix('names');
      const [event] = newEvents(1);
      const append = (name: string, type = event!.type) =>
        store().append(name, [{ ...event!, type }], { expectedRevision: 'any' });
      await expect(append('')).rejects.toThrow(/non-empty string/);
      await expect(append(`$${stream}`)).rejects.toThrow(/starting with \$/);
      await expect(append(stream, '$Metadata')).rejects.toThrow(/starting with \$/);
      await expect(append(stream, '')).rejects.toThrow(/non-empty type/);
      await expect(store().readStream(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
      await expect(store().readStream(`$${stream}`)).rejects.toBeInstanceOf(StreamNotFoundError);
    });
  });

  describe('size', () => {
    it('an append carrying more than 1 MiB of JSON is refused and nothing written; half of that is taken', async () => {
      const stream = uniquePrefix('size');
      const [event] = newEvents(1);
      const carrying = (bytes: number) => [{ ...event!, data: { text: 'x'.repeat(bytes) } }];
      await expect(
        store().append(stream, carrying(MAX_APPEND_BYTES), { expectedRevision: 'no_stream' }),
      ).rejects.toThrow(/at most 1048576 bytes/);
      await expect(store().readStream(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
      await store().append(stream, carrying(MAX_APPEND_BYTES / 2), {
        expectedRevision: 'no_stream',
      });
      const [stored] = await store().readStream(stream);
      expect((stored!.data as { text: string }).text).toHaveLength(MAX_APPEND_BYTES / 2);
    });
  });

  describe('idempotent retries', () => {
    it('the same ids at the same exact revision succeed once and report the original position', async () => {
      const stream = uniquePrefix('retry');
      await store().append(stream, newEvents(2), { expectedRevision: 'no_stream' });
      const events = newEvents(2);
      const original = await store().append(stream, events, { expectedRevision: 1n });
      const retried = await store().append(stream, events, { expectedRevision: 1n });
      expect(retried).toEqual(original);
      expect(retried.nextExpectedRevision).toBe(3n);
      const stored = await store().readStream(stream);
      expect(stored).toHaveLength(4);
      expect(ids(stored.slice(2))).toEqual(ids(events));
    });

    it('a retry is still recognised after the stream has moved on', async () => {
      const stream = uniquePrefix('retry');
      const events = newEvents(2);
      const original = await store().append(stream, events, { expectedRevision: 'no_stream' });
      await store().append(stream, [newEvent()], { expectedRevision: 1n });
      const retried = await store().append(stream, events, { expectedRevision: 'no_stream' });
      expect(retried).toEqual(original);
      expect(await store().readStream(stream)).toHaveLength(3);
    });

    it('the same ids retried with any are written once', async () => {
      const stream = uniquePrefix('retry');
      await store().append(stream, [newEvent()], { expectedRevision: 'no_stream' });
      const events = newEvents(2);
      const original = await store().append(stream, events, { expectedRevision: 'any' });
      const retried = await store().append(stream, events, { expectedRevision: 'any' });
      expect(retried).toEqual(original);
      expect(await store().readStream(stream)).toHaveLength(3);
    });

    it('different ids at a stale revision are a conflict', async () => {
      const stream = uniquePrefix('retry');
      await store().append(stream, [newEvent()], { expectedRevision: 'no_stream' });
      await store().append(stream, [newEvent()], { expectedRevision: 0n });
      const conflict = await conflictOf(
        store().append(stream, [newEvent()], { expectedRevision: 0n }),
      );
      expect(conflict.expected).toBe(0n);
      expect(conflict.actual).toBe(1n);
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    it('a retry whose ids only partly match the stored events is a conflict', async () => {
      const stream = uniquePrefix('retry');
      const events = newEvents(2);
      await store().append(stream, events, { expectedRevision: 'no_stream' });
      await conflictOf(
        store().append(stream, [events[0]!, newEvent()], { expectedRevision: 'no_stream' }),
      );
      expect(ids(await store().readStream(stream))).toEqual(ids(events));
    });
  });
}
