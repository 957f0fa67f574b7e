import { describe, expect, it } from 'vitest';
import { coalesce } from '../../demo/admin/coalesce';

/** A run the test finishes by hand, to see exactly what starts when. */
function controllableRun() {
  const pending: { resolve(): void; reject(error: Error): void }[] = [];
  let started = 0;
  const run = () =>
    new Promise<void>((resolve, reject) => {
      started += 1;
      pending.push({ resolve, reject });
    });
  return {
    run,
    started: () => started,
    finish: async (index: number) => {
      pending[index]!.resolve();
      await flush();
    },
    fail: async (index: number) => {
      pending[index]!.reject(new Error('boom'));
      await flush();
    },
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('coalesced refetch', () => {
  it('starts at once when nothing is in flight', async () => {
    const c = controllableRun();
    const refresh = coalesce(c.run);
    void refresh();
    await flush();
    expect(c.started()).toBe(1);
  });

  it('runs a burst of ticks as the one in flight plus one queued', async () => {
    const c = controllableRun();
    const refresh = coalesce(c.run);
    const first = refresh();
    const queued = [refresh(), refresh(), refresh(), refresh()];
    await flush();
    expect(c.started()).toBe(1);
    expect(new Set(queued).size).toBe(1);

    await c.finish(0);
    await expect(first).resolves.toBeUndefined();
    expect(c.started()).toBe(2);

    await c.finish(1);
    await expect(queued[0]).resolves.toBeUndefined();
    expect(c.started()).toBe(2);
  });

  it('starts afresh after the queue has drained', async () => {
    const c = controllableRun();
    const refresh = coalesce(c.run);
    void refresh();
    await flush();
    await c.finish(0);
    void refresh();
    await flush();
    expect(c.started()).toBe(2);
  });

  it('still runs the queued refetch when the one in flight fails', async () => {
    const c = controllableRun();
    const refresh = coalesce(c.run);
    const first = refresh();
    const queued = refresh();
    first.catch(() => undefined);
    await flush();
    await c.fail(0);
    await expect(first).rejects.toThrow('boom');
    expect(c.started()).toBe(2);
    await c.finish(1);
    await expect(queued).resolves.toBeUndefined();
  });

  it('never has two runs in flight, whatever the timing of requests', async () => {
    let inFlight = 0;
    let most = 0;
    let runs = 0;
    const refresh = coalesce(async () => {
      runs += 1;
      inFlight += 1;
      most = Math.max(most, inFlight);
      await flush();
      inFlight -= 1;
    });
    const all: Promise<void>[] = [];
    for (let i = 0; i < 50; i += 1) {
      all.push(refresh());
      if (i % 7 === 0) await flush();
    }
    await Promise.all(all);
    expect(most).toBe(1);
    expect(runs).toBeLessThan(50);
  });
});
