import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paced } from './paced';

/** Answers each POST after `delayMs`, with the body it got. */
let delayMs = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => setTimeout(() => res.end(body), delayMs));
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const requests = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ body: `r${i}`, headers: {} as Record<string, string> }));

describe('paced load', () => {
  it('sends at the rate asked, not faster, and hears every answer', async () => {
    delayMs = 0;
    const bodies: string[] = [];
    const summary = await paced({
      url,
      path: '/',
      rate: 200,
      connections: 4,
      requests: requests(100),
      onResponse: (_status, body) => bodies.push(body),
    });
    // The 100th request is due 99/200 s after the first.
    expect(summary.seconds).toBeGreaterThanOrEqual(0.495);
    expect(summary.requests).toBe(100);
    expect(bodies.sort()).toEqual(
      requests(100)
        .map((r) => r.body)
        .sort(),
    );
    expect(summary.statusCodes).toEqual({ 200: 100 });
  });

  it('counts the time a request waits for a free connection in its latency', async () => {
    // One connection answering in 50 ms cannot keep up with 100/s: the queue must show.
    delayMs = 50;
    const summary = await paced({
      url,
      path: '/',
      rate: 100,
      connections: 1,
      requests: requests(20),
      onResponse: () => {},
    });
    // The last is due at 190 ms but answered after 20 x 50 ms.
    expect(summary.max).toBeGreaterThan(700);
    expect(summary.p50).toBeGreaterThan(200);
  });
});
