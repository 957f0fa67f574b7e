import { describe, expect, it } from 'vitest';
import type { EventStore, SubscribeToAllOptions } from '../../server/eventstore/port';
import { headPosition, ids, MessageReader, newEvent, newEvents, uniquePrefix } from './helpers';

export function describeSubscriptions(store: () => EventStore): void {
  describe('subscribeToAll', () => {
    const subscribe = (options: SubscribeToAllOptions) =>
      new MessageReader(store().subscribeToAll(options));

    it('from the start delivers the stored events, signals caught-up, then delivers live events', async () => {
      const prefix = uniquePrefix('sub');
      const stored = newEvents(3);
      await store().append(`${prefix}-a`, stored, { expectedRevision: 'no_stream' });
      const reader = subscribe({ fromPosition: 'start', filter: { streamPrefixes: [prefix] } });
      try {
        expect(ids(await reader.untilCaughtUp())).toEqual(ids(stored));
        const live = newEvent();
        await store().append(`${prefix}-a`, [live], { expectedRevision: 2n });
        const delivered = await reader.nextEvent();
        expect(delivered.id).toBe(live.id);
        expect(delivered.revision).toBe(3n);
      } finally {
        await reader.close();
      }
    });

    it('from a position starts just after it (exclusive)', async () => {
      const prefix = uniquePrefix('sub');
      const positions: bigint[] = [];
      const events = newEvents(4);
      for (const event of events) {
        const result = await store().append(`${prefix}-a`, [event], { expectedRevision: 'any' });
        positions.push(result.position);
      }
      const reader = subscribe({
        fromPosition: positions[1],
        filter: { streamPrefixes: [prefix] },
      });
      try {
        expect(ids(await reader.untilCaughtUp())).toEqual(ids(events.slice(2)));
      } finally {
        await reader.close();
      }
    });

    it('signals caught-up only after everything stored when it subscribed, across streams and in $all order', async () => {
      const prefix = uniquePrefix('sub');
      const before = await headPosition(store());
      const appended = [];
      for (let i = 0; i < 6; i++) {
        const event = newEvent();
        await store().append(`${prefix}-${i % 3}`, [event], { expectedRevision: 'any' });
        appended.push(event);
      }
      const reader = subscribe({ fromPosition: before, filter: { streamPrefixes: [prefix] } });
      try {
        const caughtUp = await reader.untilCaughtUp();
        expect(ids(caughtUp)).toEqual(ids(appended));
        for (let i = 1; i < caughtUp.length; i++) {
          expect(caughtUp[i]!.position).toBeGreaterThan(caughtUp[i - 1]!.position);
        }
      } finally {
        await reader.close();
      }
    });

    it('from the end delivers only what is appended afterwards', async () => {
      const prefix = uniquePrefix('sub');
      await store().append(`${prefix}-a`, newEvents(2), { expectedRevision: 'no_stream' });
      const reader = subscribe({ fromPosition: 'end', filter: { streamPrefixes: [prefix] } });
      try {
        expect(await reader.untilCaughtUp()).toEqual([]);
        const live = newEvent();
        await store().append(`${prefix}-a`, [live], { expectedRevision: 1n });
        expect((await reader.nextEvent()).id).toBe(live.id);
      } finally {
        await reader.close();
      }
    });

    it('keeps only streams with the given prefixes', async () => {
      const prefix = uniquePrefix('sub');
      const before = await headPosition(store());
      const kept = [newEvent(), newEvent(), newEvent()];
      await store().append(`${prefix}-kept-1`, [kept[0]!], { expectedRevision: 'any' });
      await store().append(`${prefix}-other`, [newEvent()], { expectedRevision: 'any' });
      await store().append(`${prefix}-kept-2`, [kept[1]!], { expectedRevision: 'any' });
      await store().append(`${prefix}-also-1`, [kept[2]!], { expectedRevision: 'any' });
      const reader = subscribe({
        fromPosition: before,
        filter: { streamPrefixes: [`${prefix}-kept-`, `${prefix}-also-`] },
      });
      try {
        expect(ids(await reader.untilCaughtUp())).toEqual(ids(kept));
      } finally {
        await reader.close();
      }
    });

    it('keeps only the given event types, live as well as caught up', async () => {
      const prefix = uniquePrefix('sub');
      const wanted = `Wanted${prefix.replaceAll('_', '')}`;
      const before = await headPosition(store());
      const first = newEvent(wanted);
      await store().append(`${prefix}-a`, [first, newEvent('Unwanted')], {
        expectedRevision: 'any',
      });
      const reader = subscribe({ fromPosition: before, filter: { eventTypes: [wanted] } });
      try {
        expect(ids(await reader.untilCaughtUp())).toEqual([first.id]);
        const live = newEvent(wanted);
        await store().append(`${prefix}-b`, [newEvent('Unwanted'), live], {
          expectedRevision: 'any',
        });
        const delivered = await reader.nextEvent();
        expect(delivered.id).toBe(live.id);
        expect(delivered.type).toBe(wanted);
      } finally {
        await reader.close();
      }
    });

    it('ends iteration when closed while waiting for live events', async () => {
      const subscription = store().subscribeToAll({
        fromPosition: 'end',
        filter: { streamPrefixes: [uniquePrefix('sub')] },
      });
      let markLive: () => void = () => {};
      const live = new Promise<void>((resolve) => {
        markLive = resolve;
      });
      const iteration = (async () => {
        for await (const message of subscription) if (message.kind === 'caughtUp') markLive();
        return 'ended';
      })();
      await live;
      await subscription.close();
      await expect(iteration).resolves.toBe('ended');
    });
  });
}
