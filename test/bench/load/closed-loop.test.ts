import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedLoop } from './closed-loop';

/** Echoes each POST's body and the header `x-n`; `/slow` answers in two writes, `/bare` with no length. */
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    const answer = `${req.headers['x-n']}:${body}`;
    if (req.url === '/bare') {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.end(answer);
      return;
    }
    res.writeHead(body.startsWith('bad') ? 400 : 200, {
      'content-length': Buffer.byteLength(answer),
    });
    if (req.url === '/slow') {
      res.write(answer.slice(0, 2));
      setImmediate(() => res.end(answer.slice(2)));
    } else res.end(answer);
  });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const requests = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    body: i % 10 === 9 ? `bad ${i} é` : `body ${i} é`,
    headers: { 'x-n': String(i) },
  }));

describe('closed-loop load', () => {
  it.each(['/', '/slow'])(
    'sends every request once over its connections and hears each answer whole (%s)',
    async (path) => {
      const answers: string[] = [];
      const summary = await closedLoop({
        url,
        path,
        connections: 4,
        requests: requests(200),
        onResponse: (status, body) => answers.push(`${status} ${body}`),
      });
      expect(summary.requests).toBe(200);
      expect(summary.statusCodes).toEqual({ 200: 180, 400: 20 });
      expect(summary.non2xx).toBe(20);
      expect(answers.sort()).toEqual(
        requests(200)
          .map((r, i) => `${i % 10 === 9 ? 400 : 200} ${i}:${r.body}`)
          .sort(),
      );
      expect(summary.p99).toBeGreaterThan(0);
      expect(summary.perSecond).toBeGreaterThan(0);
    },
  );

  it('fails the run on an answer without Content-Length', async () => {
    await expect(
      closedLoop({ url, path: '/bare', connections: 1, requests: requests(1), onResponse() {} }),
    ).rejects.toThrow(/without Content-Length/);
  });
});
