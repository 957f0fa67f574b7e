import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closedLoop, parseAnswer } from './closed-loop';

let server: http.Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

async function listen(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

/** Answers each POST with `n:body`, 400 for a body starting "bad". */
const echo: http.RequestListener = (req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    const answer = `${req.headers['x-n']}:${body}`;
    res.writeHead(body.startsWith('bad') ? 400 : 200, {
      'content-length': Buffer.byteLength(answer),
    });
    res.end(answer);
  });
};

const requests = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    body: i % 10 === 9 ? `bad ${i} é` : `body ${i} é`,
    headers: { 'x-n': String(i) },
  }));

describe('an answer read in pieces', () => {
  const one = 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: keep-alive\r\n\r\n{"é":[]}';
  const closing =
    'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno';

  it('is complete only once its last byte has come, wherever the bytes were split', () => {
    const bytes = Buffer.from(one + closing);
    const first = Buffer.byteLength(one);
    for (let split = 0; split < bytes.length; split++) {
      const answer = parseAnswer(bytes.subarray(0, split));
      if (split < first) expect(answer).toBeUndefined();
      else expect(answer).toEqual({ status: 200, body: '{"é":[]}', closes: false, end: first });
    }
    expect(parseAnswer(bytes.subarray(first))).toEqual({
      status: 503,
      body: 'no',
      closes: true,
      end: Buffer.byteLength(closing),
    });
  });

  it('is read chunk by chunk when chunked, wherever the bytes were split', () => {
    const chunked =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{"é":\r\nA\r\n[1,2,3,4]}\r\n0\r\n\r\n';
    const bytes = Buffer.from(chunked + one);
    const first = Buffer.byteLength(chunked);
    for (let split = 0; split < bytes.length; split++) {
      const answer = parseAnswer(bytes.subarray(0, split));
      if (split < first) expect(answer).toBeUndefined();
      else
        expect(answer).toEqual({ status: 200, body: '{"é":[1,2,3,4]}', closes: false, end: first });
    }
  });

  it('needs a length or chunks', () => {
    expect(() => parseAnswer(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(/unknown length/);
  });
});

describe('closed-loop load', () => {
  it('sends every request once over its connections and hears each answer', async () => {
    const url = await listen(echo);
    const answers: string[] = [];
    const summary = await closedLoop({
      url,
      path: '/',
      connections: 4,
      requests: requests(200),
      onResponse: (status, body) => answers.push(`${status} ${body}`),
    });
    expect(summary).toMatchObject({ requests: 200, non2xx: 20, errors: 0, timeouts: 0 });
    expect(summary.statusCodes).toEqual({ 200: 180, 400: 20 });
    expect(answers.sort()).toEqual(
      requests(200)
        .map((r, i) => `${i % 10 === 9 ? 400 : 200} ${i}:${r.body}`)
        .sort(),
    );
  });

  it('counts a request the server hung up on as an error, and goes on with the rest', async () => {
    const url = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.headers['x-n'] === '7') return req.socket.destroy();
        res.writeHead(200, { 'content-length': 2 });
        res.end('ok');
      });
    });
    const summary = await closedLoop({
      url,
      path: '/',
      connections: 2,
      requests: requests(20),
      onResponse() {},
    });
    expect(summary).toMatchObject({ requests: 19, errors: 1 });
  });

  it('opens a connection again when the server ends one after an answer', async () => {
    let served = 0;
    const url = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        served++;
        res.writeHead(200, {
          'content-length': 2,
          ...(served % 5 === 0 && { connection: 'close' }),
        });
        res.end('ok');
      });
    });
    const summary = await closedLoop({
      url,
      path: '/',
      connections: 2,
      requests: requests(40),
      onResponse() {},
    });
    expect(summary).toMatchObject({ requests: 40, errors: 0 });
  });

  it('gives up a request not answered in time, as a timeout', async () => {
    const url = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.headers['x-n'] === '3') return; // never answered
        res.writeHead(200, { 'content-length': 2 });
        res.end('ok');
      });
    });
    const summary = await closedLoop({
      url,
      path: '/',
      connections: 1,
      requests: requests(6),
      onResponse() {},
      timeoutMs: 200,
    });
    expect(summary).toMatchObject({ requests: 5, errors: 0, timeouts: 1 });
  });

  it('sends nothing after its deadline, and hears the answers in flight', async () => {
    const url = await listen(echo);
    const summary = await closedLoop({
      url,
      path: '/',
      connections: 2,
      requests: requests(100_000),
      onResponse() {},
      seconds: 0.2,
    });
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.requests).toBeLessThan(100_000);
    expect(summary).toMatchObject({ errors: 0, timeouts: 0 });
  });

  it('fails when it cannot connect at all', async () => {
    const url = await listen(echo);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await expect(
      closedLoop({ url, path: '/', connections: 1, requests: requests(1), onResponse() {} }),
    ).rejects.toThrow(/cannot connect/);
  });
});
