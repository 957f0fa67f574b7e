import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from '../../projections/progress';
import { type ProjectionProgress, startProjectionRunner } from '../../projections/runner';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { generateHistory } from './history';

/** A terminal, or a log file (`2> rebuild.log`, CI), that keeps what is written to it. */
function terminal(isTTY = true) {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => written.push(text) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('progressBar', () => {
  it('ends its line on a terminal once done', () => {
    const { stream, written } = terminal();
    const bar = progressBar(stream, 10n);
    bar.update({ position: 10n, events: 10, eventsPerSecond: 100 });
    bar.done();
    expect(written.join('')).toMatch(/100\.0% +10 events +100 events\/s.*\n$/);
  });

  it('writes the final line to a log once, not again when done', () => {
    const { stream, written } = terminal(false);
    const clock = vi.spyOn(performance, 'now').mockReturnValue(60_000);
    // As a rebuild reports: where it starts, then (more than 2 s later) that it is done.
    const bar = progressBar(stream, 16_652n);
    bar.update({ position: -1n, events: 0, eventsPerSecond: 0 });
    clock.mockReturnValue(63_000);
    bar.update({ position: 16_652n, events: 16_652, eventsPerSecond: 5_550 });
    bar.done();
    const lines = written.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/100\.0% +16,652 events/);
  });

  it('writes nothing when there was no progress to show', () => {
    const { stream, written } = terminal();
    progressBar(stream, 10n).done();
    expect(written).toEqual([]);
  });

  it('measures a catch-up that resumes from a checkpoint from where it resumed', () => {
    const { stream, written } = terminal();
    const clock = vi.spyOn(performance, 'now').mockReturnValue(1_000_000);
    const bar = progressBar(stream, 1_000n);
    bar.update({ position: 900n, events: 0, eventsPerSecond: 0 });
    // 10 of the 100 positions left in 10 s: 90 s to go.
    clock.mockReturnValue(1_010_000);
    bar.update({ position: 910n, events: 10, eventsPerSecond: 1 });
    bar.done();
    expect(written.at(-2)).toMatch(/ 10\.0% .*ETA 1:30/);
  });

  it("shows the share of a runner's catch-up done, from its first batch on", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'progress-'));
    const store = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
    const reports: ProjectionProgress[] = [];
    let head = 0n;
    try {
      await generateHistory(store, { orders: 5_000, seed: 3 });
      const [last] = await store.readAll({ direction: 'backwards', maxCount: 1 });
      head = last!.position;
      const runner = await startProjectionRunner({
        store,
        dbPath: join(dir, 'readmodels.sqlite'),
        onProgress: (progress) => reports.push(progress),
      });
      await runner.caughtUp;
      await runner.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const { stream, written } = terminal();
    let now = 1_000_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const bar = progressBar(stream, head);
    const shown: number[] = [];
    const truth: number[] = [];
    for (const progress of reports) {
      now += 1_000;
      bar.update(progress);
      if (progress.events === 0) continue;
      shown.push(Number(/(\d+\.\d)%/.exec(written.at(-1)!)![1]));
      truth.push((Number(progress.position) / Number(head)) * 100);
    }
    // Batches of 10,000 events: at least two before the end.
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const [i, percent] of shown.entries()) expect(percent).toBeCloseTo(truth[i]!, 0);
  }, 60_000);
});
