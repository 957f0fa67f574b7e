/**
 * A closed-loop HTTP/1.1 load: `connections` keep-alive sockets, each sending its next
 * request as soon as the last one is answered, every request's bytes built before the clock
 * starts. It does what autocannon does for a POST with a body, at a third of the CPU: on
 * two cores shared with the server, the load generator's CPU is the server's loss.
 * Answers carry a Content-Length or are chunked (tRPC's are). A connection the server closes is
 * opened again while requests remain; a request it was closed on counts as an error, as
 * does one not answered within the timeout.
 */
import net from 'node:net';
import { type LoadSummary, summarise } from './load-report';

interface ClosedLoopRequest {
  body: string;
  headers: Record<string, string>;
}

export interface ClosedLoopOptions {
  url: string;
  path: string;
  connections: number;
  requests: ClosedLoopRequest[];
  onResponse(status: number, body: string): void;
  /** A request not answered within this is given up, its connection closed (default 10 s). */
  timeoutMs?: number;
  /** Sends no request after this many seconds (the ones in flight are answered); default: all of them. */
  seconds?: number;
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

export interface Answer {
  status: number;
  body: string;
  /** The server will close the connection after it (`Connection: close`). */
  closes: boolean;
  /** Where the answer ends in the bytes read. */
  end: number;
}

/** The answer at the start of `data`; undefined while it is incomplete. */
export function parseAnswer(data: Buffer): Answer | undefined {
  const headEnd = data.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const closes = /\r\nconnection:\s*close/i.test(head);
  const start = headEnd + HEAD_END.length;
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const body = chunkedBody(data, start);
    return body && { status, body: body.text, closes, end: body.end };
  }
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (length === undefined) throw new Error(`an answer of unknown length:\n${head}`);
  const end = start + Number(length);
  if (data.length < end) return undefined;
  return { status, body: data.toString('utf8', start, end), closes, end };
}

/** A chunked body from `at` (tRPC streams its answers so), up to its last chunk; no trailers. */
function chunkedBody(data: Buffer, at: number): { text: string; end: number } | undefined {
  const chunks: Buffer[] = [];
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error('a chunked answer with a malformed chunk size');
    const end = lineEnd + 2 + size + 2;
    if (data.length < end) return undefined;
    if (size === 0) return { text: Buffer.concat(chunks).toString('utf8'), end };
    chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = end;
  }
}

export async function closedLoop(options: ClosedLoopOptions): Promise<LoadSummary> {
  const url = new URL(options.url);
  const prepared = options.requests.map((r) => requestBytes(url, options.path, r));
  const timeout = options.timeoutMs ?? 10_000;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let next = 0;
  let errors = 0;
  let timeouts = 0;
  let lastAnswer = performance.now();
  let deadline = Number.POSITIVE_INFINITY;
  const more = () => next < prepared.length && performance.now() < deadline;

  /** One socket's life: requests one after another until none remain or the socket closes. */
  const socketRun = () =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      socket.setNoDelay(true);
      let pending = Buffer.alloc(0);
      let sentAt: number | undefined;
      let closing = false;
      let connected = false;
      socket.setTimeout(timeout, () => {
        if (sentAt !== undefined) timeouts++;
        sentAt = undefined;
        socket.destroy();
      });
      const sendNext = () => {
        if (closing || !more()) {
          socket.end();
          return;
        }
        sentAt = performance.now();
        socket.write(prepared[next++]!);
      };
      socket.on('connect', () => {
        connected = true;
        sendNext();
      });
      socket.on('data', (chunk) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        let answer: Answer | undefined;
        try {
          answer = parseAnswer(pending);
        } catch (error) {
          reject(error);
          socket.destroy();
          return;
        }
        if (!answer || sentAt === undefined) return;
        lastAnswer = performance.now();
        latencies.push(lastAnswer - sentAt);
        sentAt = undefined;
        statusCodes[answer.status] = (statusCodes[answer.status] ?? 0) + 1;
        options.onResponse(answer.status, answer.body);
        pending = pending.subarray(answer.end);
        closing = answer.closes;
        sendNext();
      });
      // 'close' follows every 'error': the request in flight, if any, is counted there.
      let failure: Error | undefined;
      socket.on('error', (error) => {
        failure = error;
      });
      socket.on('close', () => {
        if (!connected) reject(new Error(`cannot connect to ${url.host}: ${failure?.message}`));
        if (sentAt !== undefined) errors++;
        resolve();
      });
    });

  /** A connection: its socket, and a new one whenever the server closed it while requests remain. */
  const connection = async () => {
    while (more()) await socketRun();
  };

  const cpu = process.cpuUsage();
  const started = performance.now();
  if (options.seconds !== undefined) deadline = started + options.seconds * 1000;
  await Promise.all(Array.from({ length: options.connections }, connection));
  const seconds = (lastAnswer - started) / 1000;
  return summarise({ latencies, statusCodes, seconds, errors, timeouts, cpu });
}
