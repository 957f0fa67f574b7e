/**
 * Runs autocannon in this (load) process and sums up what the server under test did:
 * completed requests per second, latency percentiles of every response at sub-millisecond
 * precision (autocannon's own histogram keeps whole milliseconds of 2xx only), and
 * how many answers were not 2xx.
 */
import autocannon from 'autocannon';

export interface LoadSummary {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU milliseconds this load process spent per request: the share of the machine the server did not get. */
  loadCpuMs: number;
}

export async function fire(options: autocannon.Options): Promise<LoadSummary> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  // autocannon's own duration counts whole seconds of its ticker when a run ends on an
  // amount of requests (15,000 answers in 5.1 s read as 6.0 s): time the run here instead.
  const started = performance.now();
  let lastAnswer = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastAnswer = performance.now();
    });
  });
  const seconds = (lastAnswer - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
  const requests = latencies.length;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
  );
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    p50: pct(0.5),
    p90: pct(0.9),
    p99: pct(0.99),
    max: latencies.at(-1) ?? Number.NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    loadCpuMs: cpuMsPer(cpu, requests),
  };
}

/** CPU milliseconds (user + system) of this process since `since`, per request. */
export function cpuMsPer(since: NodeJS.CpuUsage, requests: number): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000 / requests;
}

const MARK = 'LOAD_RESULT ';

/** The load process's one answer to its parent, on stdout. */
export function reportToParent(result: unknown): void {
  process.stdout.write(`\n${MARK}${JSON.stringify(result)}\n`);
}

export function readReport<T>(stdout: string): T {
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`the load process printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(MARK.length)) as T;
}
