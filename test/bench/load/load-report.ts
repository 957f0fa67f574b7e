/**
 * What a load process tells the bench: completed requests per second, latency percentiles of
 * every response at sub-millisecond precision, how many answers were not 2xx, and the load's
 * own CPU; sent to the parent as one line on stdout.
 */
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

/** A run's summary from every answer's latency (ms) and status, its length and its failures. */
export function summarise(run: {
  latencies: number[];
  statusCodes: Record<string, number>;
  seconds: number;
  errors: number;
  timeouts: number;
  /** `process.cpuUsage()` when the run started. */
  cpu: NodeJS.CpuUsage;
}): LoadSummary {
  const latencies = [...run.latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
  const non2xx = Object.entries(run.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: latencies.length,
    seconds: run.seconds,
    perSecond: latencies.length / run.seconds,
    p50: pct(0.5),
    p90: pct(0.9),
    p99: pct(0.99),
    max: latencies.at(-1) ?? Number.NaN,
    non2xx,
    errors: run.errors,
    timeouts: run.timeouts,
    statusCodes: run.statusCodes,
    loadCpuMs: cpuMsPer(run.cpu, latencies.length),
  };
}

/** CPU milliseconds (user + system) of this process since `since`, per request. */
function cpuMsPer(since: NodeJS.CpuUsage, requests: number): number {
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
