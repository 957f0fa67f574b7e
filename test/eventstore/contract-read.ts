import { beforeAll, describe, expect, it } from 'vitest';
import { type EventData, type EventStore, StreamNotFoundError } from '../../server/eventstore/port';
import { newEvents, uniquePrefix } from './helpers';

export function describeReads(store: () => EventStore): void {
  describe('readStream', () => {
    const stream = uniquePrefix('read');
    let events: EventData[];
    const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
      (await store().readStream(stream, options)).map((e) => e.revision);

    beforeAll(async () => {
      events = newEvents(5);
      await store().append(stream, events, { expectedRevision: 'no_stream' });
    });

    it('reads forwards from the start by default, with every field of each event', async () => {
      const read = await store().readStream(stream);
      expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      read.forEach((recorded, i) => {
        const appended = events[i]!;
        expect(recorded.streamId).toBe(stream);
        expect(recorded.id).toBe(appended.id);
        expect(recorded.type).toBe(appended.type);
        expect(recorded.data).toEqual(appended.data);
        expect(recorded.metadata).toEqual(appended.metadata);
        expect(recorded.created).toBeInstanceOf(Date);
        expect(Math.abs(recorded.created.getTime() - Date.now())).toBeLessThan(60_000);
        expect(typeof recorded.position).toBe('bigint');
      });
      const positions = read.map((e) => e.position);
      expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    });

    it('reads backwards from the end', async () => {
      expect(await revisions({ direction: 'backwards' })).toEqual([4n, 3n, 2n, 1n, 0n]);
    });

    it("reads backwards from 'start' as its first event only, and forwards from 'end' as nothing", async () => {
      expect(await revisions({ direction: 'backwards', fromRevision: 'start' })).toEqual([0n]);
      expect(await revisions({ fromRevision: 'end' })).toEqual([]);
    });

    it('reads forwards from a revision, inclusive', async () => {
      expect(await revisions({ fromRevision: 2n })).toEqual([2n, 3n, 4n]);
    });

    it('reads backwards from a revision, inclusive', async () => {
      expect(await revisions({ direction: 'backwards', fromRevision: 2n })).toEqual([2n, 1n, 0n]);
    });

    it('stops at maxCount in either direction', async () => {
      expect(await revisions({ maxCount: 2 })).toEqual([0n, 1n]);
      expect(await revisions({ direction: 'backwards', maxCount: 2 })).toEqual([4n, 3n]);
      expect(await revisions({ fromRevision: 1n, maxCount: 3 })).toEqual([1n, 2n, 3n]);
    });

    it('reads nothing past the end of an existing stream', async () => {
      expect(await revisions({ fromRevision: 10n })).toEqual([]);
    });

    it('refuses a missing stream with StreamNotFoundError naming it', async () => {
      const missing = uniquePrefix('missing');
      const error = await store()
        .readStream(missing)
        .catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(StreamNotFoundError);
      expect((error as StreamNotFoundError).stream).toBe(missing);
    });

    it('refuses a missing stream in either direction, from any revision', async () => {
      const missing = uniquePrefix('missing');
      for (const options of [
        { direction: 'backwards' as const },
        { fromRevision: 3n },
        { direction: 'backwards' as const, fromRevision: 3n },
        { maxCount: 1 },
      ]) {
        await expect(store().readStream(missing, options)).rejects.toBeInstanceOf(
          StreamNotFoundError,
        );
      }
    });
  });
}
