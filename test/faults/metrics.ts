/** Reads a server's own figures from `GET /metrics` (Prometheus text format). */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(url: string): Promise<Sample[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples: Sample[] = [];
  for (const [, name, labelText, value] of text.matchAll(/^(\w+)\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries(
      [...labelText!.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k!, v!]),
    );
    samples.push({ name: name!, labels, value: Number(value) });
  }
  return samples;
}

/** Event store appends by result (ok, conflict, error), counted by this process since it started. */
export async function appendCounts(url: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const s of await scrape(url)) {
    if (s.name === 'stripe_cart_eventstore_append_duration_seconds_count') {
      counts[s.labels.result!] = s.value;
    }
  }
  return counts;
}

/** Cumulative request counts of one route and status: total, and per bucket bound (seconds). */
export interface RequestHistogram {
  count: number;
  atMost: Map<number, number>;
}

export async function requestHistogram(
  url: string,
  route: { method: string; route: string; status: string },
): Promise<RequestHistogram> {
  const histogram: RequestHistogram = { count: 0, atMost: new Map() };
  for (const s of await scrape(url)) {
    const { le, method, route: path, status } = s.labels;
    if (method !== route.method || path !== route.route || status !== route.status) continue;
    // Summed over the procedures of the route.
    if (s.name === 'stripe_cart_http_request_duration_seconds_count') histogram.count += s.value;
    if (s.name === 'stripe_cart_http_request_duration_seconds_bucket' && le !== '+Inf') {
      histogram.atMost.set(Number(le), (histogram.atMost.get(Number(le)) ?? 0) + s.value);
    }
  }
  return histogram;
}

/**
 * Between two scrapes: how many requests the server handled, and what share of them it
 * answered within `seconds` (a bucket bound), as the server itself timed them.
 */
export function shareWithin(before: RequestHistogram, after: RequestHistogram, seconds: number) {
  const count = after.count - before.count;
  const within = (after.atMost.get(seconds) ?? 0) - (before.atMost.get(seconds) ?? 0);
  return { count, share: count === 0 ? 0 : within / count };
}
