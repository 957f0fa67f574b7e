/**
 * Reads one of the server's Prometheus histograms from `GET /metrics`, so a bench can tell
 * how much of a request's latency was spent in one step (the durable append) during its run.
 */

/** Cumulative counts by bucket upper bound (seconds; the last is +Inf). */
export type Histogram = Map<number, number>;

/** The cumulative buckets of histogram `name` whose labels include `labels`, summed over the rest. */
export function histogramFrom(
  text: string,
  name: string,
  labels: Record<string, string>,
): Histogram {
  const buckets: Histogram = new Map();
  const line = new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)$`);
  for (const row of text.split('\n')) {
    const match = line.exec(row);
    if (!match) continue;
    const found = Object.fromEntries(
      [...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(labels).some(([key, value]) => found[key] !== value)) continue;
    const le = found.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(found.le);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** What was observed between two scrapes of the same histogram. */
export function histogramDelta(before: Histogram, after: Histogram): Histogram {
  return new Map([...after].map(([le, count]) => [le, count - (before.get(le) ?? 0)]));
}

/** The count observed, and the upper bound of the bucket holding quantile `q` (Infinity past the last bound). */
export function quantileBound(histogram: Histogram, q: number): { count: number; bound: number } {
  const bounds = [...histogram.keys()].sort((a, b) => a - b);
  const count = histogram.get(Number.POSITIVE_INFINITY) ?? 0;
  const rank = q * count;
  const bound = bounds.find((le) => (histogram.get(le) ?? 0) >= rank) ?? Number.POSITIVE_INFINITY;
  return { count, bound };
}

/** The share of observations above `seconds`, which must be one of the bucket bounds. */
export function shareAbove(histogram: Histogram, seconds: number): number {
  const count = histogram.get(Number.POSITIVE_INFINITY) ?? 0;
  const within = histogram.get(seconds);
  if (within === undefined) throw new Error(`${seconds} s is not a bucket bound`);
  return count === 0 ? 0 : (count - within) / count;
}

async function scrapeHistogram(
  url: string,
  name: string,
  labels: Record<string, string>,
): Promise<Histogram> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return histogramFrom(await response.text(), name, labels);
}

const APPENDS = 'stripe_cart_eventstore_append_duration_seconds';

/**
 * Starts watching the server's appends as its request thread waits for them (the commit, and the turns of the event loop before the answer is read); the
 * function returned describes those made since, for a bench row.
 */
export async function watchAppends(url: string): Promise<() => Promise<string>> {
  const before = await scrapeHistogram(url, APPENDS, { result: 'ok' });
  return async () => {
    const run = histogramDelta(before, await scrapeHistogram(url, APPENDS, { result: 'ok' }));
    const ms = (q: number) => {
      const { bound } = quantileBound(run, q);
      return Number.isFinite(bound) ? `<= ${bound * 1000} ms` : '> 500 ms';
    };
    const count = quantileBound(run, 1).count;
    const over = (seconds: number) => `${(shareAbove(run, seconds) * 100).toFixed(1)}%`;
    return `${count.toLocaleString('en-US')} appends: p50 ${ms(0.5)}, p99 ${ms(0.99)}; ${over(0.01)} over 10 ms, ${over(0.05)} over 50 ms`;
  };
}
