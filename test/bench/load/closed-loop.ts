/**
 * A closed-loop HTTP/1.1 load: `connections` keep-alive sockets, each sending its next
 * request as soon as the last one is answered, every request's bytes built before the clock
 * starts. It does what autocannon does for a POST with a body, at a fifth of the CPU: on
 * two cores shared with the server, the load generator's CPU is the server's loss.
 * Answers must carry a Content-Length (Fastify's do). A connection that fails fails the run.
 */
import net from 'node:net';
import { cpuMsPer, type LoadSummary } from './cannon';

export interface ClosedLoopRequest {
  body: string;
  headers: Record<string, string>;
}

export interface ClosedLoopOptions {
  url: string;
  path: string;
  connections: number;
  requests: ClosedLoopRequest[];
  onResponse(status: number, body: string): void;
  /** A request not answered within this fails the run (default 10 s). */
  timeoutMs?: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');

function requestBytes(url: URL, path: string, request: ClosedLoopRequest): Buffer {
  const body = Buffer.from(request.body);
  const headers = {
    host: url.host,
    connection: 'keep-alive',
    ...request.headers,
    'content-length': String(body.length),
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\n${head}\r\n`), body]);
}

/** The status and body of the answer at the start of `data`, and where it ends; undefined while incomplete. */
function parseAnswer(data: Buffer): { status: number; body: string; end: number } | undefined {
  const headEnd = data.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headEnd);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (length === undefined) throw new Error(`an answer without Content-Length:\n${head}`);
  const end = headEnd + HEAD_END.length + Number(length);
  if (data.length < end) return undefined;
  const status = Number(head.slice(9, 12));
  return { status, body: data.toString('utf8', headEnd + HEAD_END.length, end), end };
}

export async function closedLoop(options: ClosedLoopOptions): Promise<LoadSummary> {
  const url = new URL(options.url);
  const prepared = options.requests.map((r) => requestBytes(url, options.path, r));
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let next = 0;
  let lastAnswer = 0;

  const connection = () =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      socket.setNoDelay(true);
      let pending = Buffer.alloc(0);
      let sentAt = 0;
      const timeout = options.timeoutMs ?? 10_000;
      socket.setTimeout(timeout, () => socket.destroy(new Error(`no answer within ${timeout} ms`)));
      const sendNext = () => {
        if (next >= prepared.length) {
          socket.end();
          return;
        }
        sentAt = performance.now();
        socket.write(prepared[next++]!);
      };
      socket.on('connect', sendNext);
      socket.on('data', (chunk) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        let answer: ReturnType<typeof parseAnswer>;
        try {
          answer = parseAnswer(pending);
        } catch (error) {
          socket.destroy(error as Error);
          return;
        }
        if (!answer) return;
        lastAnswer = performance.now();
        latencies.push(lastAnswer - sentAt);
        statusCodes[answer.status] = (statusCodes[answer.status] ?? 0) + 1;
        options.onResponse(answer.status, answer.body);
        pending = pending.subarray(answer.end);
        sendNext();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });

  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: options.connections }, connection));
  const seconds = (lastAnswer - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
  const non2xx = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: pct(0.5),
    p90: pct(0.9),
    p99: pct(0.99),
    max: latencies.at(-1) ?? Number.NaN,
    non2xx,
    errors: 0,
    timeouts: 0,
    statusCodes,
    loadCpuMs: cpuMsPer(cpu, latencies.length),
  };
}
