import { describe, expect, it } from 'vitest';
import { progressBar } from '../../projections/progress';

/** A terminal that keeps what is written to it. */
function terminal() {
  const written: string[] = [];
  const stream = { isTTY: true, write: (text: string) => written.push(text) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

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
});
