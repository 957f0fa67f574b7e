import { describe, expect, it } from 'vitest';
import type { EventStore, RecordedEvent } from '../../server/eventstore/port';
import { headPosition, ids, newEvent, uniquePrefix } from './helpers';

/** Enough to cover this test's events even when other tests write to a shared `$all` meanwhile. */
const READ_LIMIT = 10_000;

export function describeAllStream(store: () => EventStore): void {
  describe('$all', () => {
    /** Appends to two streams in turn and returns what was appended, in order, with positions. */
    async function interleave(prefix: string) {
      const appended: { id: string; stream: string; position: bigint }[] = [];
      for (let i = 0; i < 6; i++) {
        const stream = `${prefix}-${i % 2}`;
        const event = newEvent();
        const result = await store().append(stream, [event], { expectedRevision: 'any' });
        appended.push({ id: event.id, stream, position: result.position });
      }
      return appended;
    }
    const own = (prefix: string, events: RecordedEvent[]) =>
      events.filter((e) => e.streamId.startsWith(prefix));

    it('holds every append once, in append order, at strictly increasing positions', async () => {
      const prefix = uniquePrefix('all');
      const before = await headPosition(store());
      const appended = await interleave(prefix);
      const read = own(
        prefix,
        await store().readAll({ fromPosition: before, maxCount: READ_LIMIT }),
      );
      expect(ids(read)).toEqual(ids(appended));
      expect(read.map((e) => e.streamId)).toEqual(appended.map((a) => a.stream));
      expect(read.map((e) => e.position)).toEqual(appended.map((a) => a.position));
      for (let i = 1; i < read.length; i++) {
        expect(read[i]!.position).toBeGreaterThan(read[i - 1]!.position);
      }
    });

    it('reads forwards from a position, inclusive', async () => {
      const prefix = uniquePrefix('all');
      const appended = await interleave(prefix);
      const from = appended[2]!;
      const [first] = await store().readAll({ fromPosition: from.position, maxCount: 1 });
      expect(first?.id).toBe(from.id);
      const rest = own(
        prefix,
        await store().readAll({ fromPosition: from.position, maxCount: READ_LIMIT }),
      );
      expect(ids(rest)).toEqual(ids(appended.slice(2)));
    });

    it('reads backwards from the end, newest first', async () => {
      const prefix = uniquePrefix('all');
      const appended = await interleave(prefix);
      const read = own(
        prefix,
        await store().readAll({
          direction: 'backwards',
          fromPosition: 'end',
          maxCount: READ_LIMIT,
        }),
      );
      expect(ids(read)).toEqual(ids(appended).reverse());
    });

    it('stops at maxCount', async () => {
      const before = await headPosition(store());
      await interleave(uniquePrefix('all'));
      const read = await store().readAll({ fromPosition: before, maxCount: 3 });
      expect(read).toHaveLength(3);
    });

    it('reads backwards from a position, that event included, up to maxCount', async () => {
      const before = await headPosition(store());
      const prefix = uniquePrefix('all');
      const appended = await interleave(prefix);
      const forwards = own(
        prefix,
        await store().readAll({ fromPosition: before, maxCount: READ_LIMIT }),
      );
      const from = forwards.at(-2)!;
      for (const maxCount of [1, 2]) {
        const read = await store().readAll({
          direction: 'backwards',
          fromPosition: from.position,
          maxCount,
        });
        expect(ids(read)).toEqual(
          ids(appended)
            .reverse()
            .slice(1, 1 + maxCount),
        );
      }
    });
  });
}
