import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from '../../projections/progress';

/** A terminal that keeps what is written to it. */
function terminal() {
  const written: string[] = [];
  const stream = { isTTY: true, write: (text: string) => written.push(text) > 0 };
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
});
