import { describe, expect, it } from 'vitest';
import { type EventStore, WrongExpectedVersionError } from '../../server/eventstore/port';
import { ChildWriter } from './child-process';
import type { StoreHarness } from './contract';
import { ids, newEvent, uniquePrefix } from './helpers';

const PER_PROCESS = 150;

export function describeConcurrency(store: () => EventStore, harness: StoreHarness): void {
  describe('concurrency', () => {
    it('of 100 concurrent appends at one expected revision exactly one wins', async () => {
      const stream = uniquePrefix('race');
      await store().append(stream, [newEvent()], { expectedRevision: 'no_stream' });
      const attempts = Array.from({ length: 100 }, () => newEvent());
      const outcomes = await Promise.allSettled(
        attempts.map((event) => store().append(stream, [event], { expectedRevision: 0n })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(99);
      for (const reason of lost) {
        expect(reason).toBeInstanceOf(WrongExpectedVersionError);
        expect((reason as WrongExpectedVersionError).actual).toBe(1n);
      }
      const winner = attempts[outcomes.findIndex((o) => o.status === 'fulfilled')]!;
      expect(ids(await store().readStream(stream))).toEqual([expect.any(String), winner.id]);
    });

    it('two OS processes appending to one stream lose and double nothing', async () => {
      const stream = uniquePrefix('processes');
      const writers = [0, 1].map(
        () => new ChildWriter(harness.childEnv(), ['race', stream, String(PER_PROCESS)]),
      );
      await Promise.all(writers.map((w) => w.waitForReady()));
      for (const writer of writers) writer.send('go');
      await Promise.all(writers.map((w) => w.succeeded()));

      const stored = await store().readStream(stream);
      expect(stored).toHaveLength(2 * PER_PROCESS);
      expect(stored.map((e) => e.revision)).toEqual(stored.map((_, i) => BigInt(i)));
      expect(new Set(ids(stored)).size).toBe(stored.length);
      const byId = new Map(stored.map((e) => [e.id, e]));
      for (const writer of writers) {
        expect(writer.acks).toHaveLength(PER_PROCESS);
        for (const ack of writer.acks) {
          expect(byId.get(ack.id)?.revision).toBe(ack.revision);
          expect(byId.get(ack.id)?.position).toBe(ack.position);
        }
      }
      // Both really wrote: the interleaving is the point of the test.
      const pids = new Set(stored.map((e) => (e.data as { pid: number }).pid));
      expect(pids.size).toBe(2);
    });

    const killed =
      'a writer killed mid-stream keeps every acknowledged append and leaves a sound store';
    if (!harness.supportsKill) {
      console.log(`${killed}: skipped, the harness does not support killing a writer`);
    }
    it('answers and writes every append under way when closed, and refuses any after', async () => {
      const closing = await harness.open();
      const stream = uniquePrefix('closing');
      // Connected first, so that the appends below are in flight when close() starts.
      await closing.append(`${stream}-warm`, [newEvent()], { expectedRevision: 'no_stream' });
      const appends = Array.from({ length: 20 }, () =>
        closing.append(stream, [newEvent()], { expectedRevision: 'any' }),
      );
      await closing.close();
      const outcomes = await Promise.allSettled(appends);
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      await expect(
        closing.append(stream, [newEvent()], { expectedRevision: 'any' }),
      ).rejects.toThrow('The event store is closed');
      await expect(closing.readStream(stream)).rejects.toThrow('The event store is closed');
      expect(await store().readStream(stream)).toHaveLength(20);
    });

    it.skipIf(!harness.supportsKill)(
      harness.supportsKill ? killed : `${killed} (skipped: the harness does not support it)`,
      async () => {
        const stream = uniquePrefix('killed');
        const writer = new ChildWriter(harness.childEnv(), ['endless', stream]);
        await writer.waitUntil(() => writer.acks.length >= 50, '50 acknowledged appends');
        writer.kill();
        const { signal } = await writer.exited;
        expect(signal).toBe('SIGKILL');
        const acknowledged = [...writer.acks];

        const reopened = await harness.open();
        try {
          const stored = await reopened.readStream(stream);
          expect(stored.map((e) => e.revision)).toEqual(stored.map((_, i) => BigInt(i)));
          expect(new Set(ids(stored)).size).toBe(stored.length);
          // At most the one append in flight when the signal landed is stored without an ack.
          expect(stored.length - acknowledged.length).toBeGreaterThanOrEqual(0);
          expect(stored.length - acknowledged.length).toBeLessThanOrEqual(1);
          const byId = new Map(stored.map((e) => [e.id, e]));
          for (const ack of acknowledged) expect(byId.get(ack.id)?.revision).toBe(ack.revision);
          await reopened.append(stream, [newEvent()], {
            expectedRevision: stored.at(-1)!.revision,
          });
        } finally {
          await reopened.close();
        }
        await harness.checkIntegrity?.();
      },
    );
  });
}
