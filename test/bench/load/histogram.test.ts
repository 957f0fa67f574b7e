import { describe, expect, it } from 'vitest';
import { histogramDelta, histogramFrom, quantileBound, shareAbove } from './histogram';

const scrape = (ok: number[], conflict: number[]) =>
  [
    '# HELP stripe_cart_eventstore_append_duration_seconds Event store appends by result',
    '# TYPE stripe_cart_eventstore_append_duration_seconds histogram',
    ...['0.001', '0.01', '0.1', '+Inf'].flatMap((le, i) => [
      `stripe_cart_eventstore_append_duration_seconds_bucket{le="${le}",result="ok"} ${ok[i]}`,
      `stripe_cart_eventstore_append_duration_seconds_bucket{le="${le}",result="conflict"} ${conflict[i]}`,
    ]),
    `stripe_cart_eventstore_append_duration_seconds_sum{result="ok"} 1.5`,
    `stripe_cart_eventstore_append_duration_seconds_count{result="ok"} ${ok[3]}`,
  ].join('\n');

const NAME = 'stripe_cart_eventstore_append_duration_seconds';

describe('histogram from /metrics', () => {
  it('reads the buckets with the labels asked for, ignoring the others', () => {
    const h = histogramFrom(scrape([1, 5, 9, 10], [0, 0, 3, 3]), NAME, { result: 'ok' });
    expect([...h]).toEqual([
      [0.001, 1],
      [0.01, 5],
      [0.1, 9],
      [Number.POSITIVE_INFINITY, 10],
    ]);
  });

  it('gives the bucket holding a quantile of what happened between two scrapes', () => {
    const before = histogramFrom(scrape([1, 5, 9, 10], [0, 0, 0, 0]), NAME, { result: 'ok' });
    const after = histogramFrom(scrape([1, 95, 99, 110], [0, 0, 0, 0]), NAME, { result: 'ok' });
    const run = histogramDelta(before, after);
    expect(quantileBound(run, 0.5)).toEqual({ count: 100, bound: 0.01 });
    expect(quantileBound(run, 0.99)).toEqual({ count: 100, bound: Number.POSITIVE_INFINITY });
    expect(shareAbove(run, 0.01)).toBeCloseTo(0.1);
    expect(() => shareAbove(run, 0.02)).toThrow(/not a bucket bound/);
  });

  it('is empty when the histogram is missing', () => {
    expect(quantileBound(histogramFrom('', NAME, {}), 0.99)).toEqual({
      count: 0,
      bound: Number.POSITIVE_INFINITY,
    });
  });
});
