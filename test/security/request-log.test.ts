/**
 * At LOG_LEVEL=info a request is one line, written when it is over: its id, method, path (the
 * query left out), status and time, or that its client hung up first. A refusal (a 429, any
 * 4xx) is that line with its reason, no stack; a failure (5xx) is still an error with its stack.
 */
import net from 'node:net';
import { Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { keptLog, type LogLine } from './support/log-lines';

const { logTo, lines } = keptLog();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: { LOG_LEVEL: 'info', CHECKOUT_RATE_LIMIT: '1', MAX_STREAMS_PER_CLIENT: '1' },
    logTo,
  });
});
afterAll(async () => {
  await t?.close();
});

/**
 * Every line of the request to `url` whose last line (the one with its time) `ended` picks,
 * once that is written: when the response closes, which may be after the client read it.
 */
async function linesOfRequest(url: string, ended: (line: LogLine) => boolean): Promise<LogLine[]> {
  return vi.waitFor(() => {
    const byRequest = new Map<string, LogLine[]>();
    for (const line of lines())
      if (line.reqId) byRequest.set(line.reqId, [...(byRequest.get(line.reqId) ?? []), line]);
    const request = [...byRequest.values()].find(
      (logged) =>
        logged.some((line) => line.req?.url === url) &&
        logged.some((line) => line.responseTime !== undefined && ended(line)),
    );
    if (!request) throw new Error(`no line ends a request to ${url}`);
    return request;
  });
}

const answered = (status: number) => (line: LogLine) => line.res?.statusCode === status;
const aborted = (line: LogLine) => line.msg === 'request aborted';

/** Sends a request's head and part of its body, then hangs up once the server has taken it. */
function hangUpMidUpload(path: string): Promise<void> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () =>
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 100\r\nExpect: 100-continue\r\n\r\n{"id":',
      ),
    );
    // Node answers 100 Continue as it hands the request to fastify.
    socket.once('data', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('a request at LOG_LEVEL=info', () => {
  it('is one line once answered: id, method, path without its query, status, time', async () => {
    const response = await fetch(`${t.url}/healthz?token=secret-in-query&email=jane%40example.com`);
    expect(response.status).toBe(200);

    const logged = await linesOfRequest('/healthz?[redacted]', answered(200));
    expect(logged).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/healthz?[redacted]' }),
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(logged)).not.toMatch(/secret-in-query|jane/);
  });

  it('is one line for a page that does not exist, its address masked', async () => {
    expect((await fetch(`${t.url}/orders/jane.doe%40example.com`)).status).toBe(404);
    const logged = await linesOfRequest('/orders/j***%40example.com', answered(404));
    expect(logged.map((line) => line.msg)).toEqual(['request completed']);
  });

  it('is one line when its client hangs up before the answer', async () => {
    await hangUpMidUpload('/webhooks/stripe');
    const logged = await linesOfRequest('/webhooks/stripe', aborted);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 30,
        req: expect.objectContaining({ method: 'POST' }),
        responseTime: expect.any(Number),
      }),
    ]);
    // No status: none reached the client.
    expect(logged[0]).not.toHaveProperty('res');
  });

  it('keeps its id on what is logged while it runs', async () => {
    const response = await fetch(`${t.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    const logged = await linesOfRequest('/webhooks/stripe', answered(400));
    expect(logged.map((line) => [line.level, line.msg])).toEqual([
      [40, 'webhook refused'],
      [30, 'request completed'],
    ]);
  });
});

describe('a refusal', () => {
  const noStack = (logged: LogLine[]) => expect(JSON.stringify(logged)).not.toContain('stack');

  it('by the checkout rate limiter (429) is the request’s line with its reason, no stack', async () => {
    const startCheckout = () =>
      fetch(`${t.url}/trpc/checkout.start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await startCheckout()).status).toBe(400);
    expect((await startCheckout()).status).toBe(429);

    const logged = await linesOfRequest('/trpc/checkout.start', answered(429));
    expect(logged).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        reason: expect.stringMatching(/^Rate limit exceeded/),
      }),
    ]);
    noStack(logged);
  });

  it('of one live stream too many (429) is one line, and the stream kept open is one when it ends', async () => {
    const hangUp = new AbortController();
    const open = await fetch(`${t.url}/trpc/catalog.watch`, { signal: hangUp.signal });
    expect(open.status).toBe(200);
    expect((await fetch(`${t.url}/trpc/catalog.watch`)).status).toBe(429);

    const refused = await linesOfRequest('/trpc/catalog.watch', answered(429));
    expect(refused.map((line) => [line.level, line.msg])).toEqual([[30, 'request completed']]);
    noStack(refused);

    hangUp.abort();
    const stream = await linesOfRequest('/trpc/catalog.watch', aborted);
    expect(stream).toHaveLength(1);
  });
});

describe('a failure (5xx)', () => {
  it('is still logged as an error with its stack, under the request’s id', async () => {
    const { registry } = t.app.services.metrics;
    new Gauge({
      name: 'request_log_test_broken',
      help: 'a collector that fails, as a broken one would',
      registers: [registry],
      collect() {
        throw new Error('collector broke');
      },
    });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(500);
    } finally {
      registry.removeSingleMetric('request_log_test_broken');
    }

    const logged = await linesOfRequest('/metrics', answered(500));
    expect(logged).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'request failed',
        err: expect.objectContaining({
          message: 'collector broke',
          stack: expect.stringMatching(/^Error: collector broke\n\s+at /),
        }),
      }),
      expect.objectContaining({ level: 30, msg: 'request completed' }),
    ]);
  });
});
