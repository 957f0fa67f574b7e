/**
 * The one-line-per-request log (server/http/request-log.ts). README, LOG_LEVEL:
 * "a refusal (4xx, a 429 say) is that line with its `reason` and no stack".
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { keptLog } from './support/log-lines';

const { written, logTo, lines } = keptLog();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: { LOG_LEVEL: 'info', MAX_STREAMS_PER_CLIENT: '1' },
    logTo,
  });
});
afterAll(async () => {
  await t?.close();
});

/** The final line of the (single) request to `url` answered with `status`. */
const endLine = (url: string, status: number) =>
  vi.waitFor(() => {
    const found = lines().filter(
      (line) =>
        line.req?.url === url && line.res?.statusCode === status && line.responseTime !== undefined,
    );
    if (found.length === 0) throw new Error(`no line ends a ${status} to ${url}`);
    return found.at(-1)!;
  });

describe('a refusal carries its reason on the request line', () => {
  it('tRPC input refused (400, checkout.start with {})', async () => {
    const response = await fetch(`${t.url}/trpc/checkout.start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    const line = await endLine('/trpc/checkout.start', 400);
    expect(line.reason, JSON.stringify(line)).toMatch(/^BAD_REQUEST: invalid /);
  });

  it('tRPC body that is not JSON (400)', async () => {
    const response = await fetch(`${t.url}/trpc/checkout.start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    const line = await endLine('/trpc/checkout.start', 400);
    expect(line.reason, JSON.stringify(line)).toMatch(/^BAD_REQUEST: .*JSON/);
  });

  it('analytics with a wrong token (401)', async () => {
    const response = await fetch(`${t.url}/trpc/analytics.stock`, {
      headers: { authorization: 'Bearer wrong-token-wrong-token' },
    });
    expect(response.status).toBe(401);
    const line = await endLine('/trpc/analytics.stock', 401);
    expect(line.reason, JSON.stringify(line)).toMatch(/^UNAUTHORIZED/);
  });

  it('a multipart body (415)', async () => {
    const form = new FormData();
    form.set('a', 'b');
    const response = await fetch(`${t.url}/trpc/admin.restock`, { method: 'POST', body: form });
    expect(response.status).toBe(415);
    const line = await endLine('/trpc/admin.restock', 415);
    expect(line.reason, JSON.stringify(line)).toMatch(/multipart/);
  });

  it('one live stream too many (429)', async () => {
    const hangUp = new AbortController();
    const open = await fetch(`${t.url}/trpc/catalog.watch`, { signal: hangUp.signal });
    try {
      expect(open.status).toBe(200);
      expect((await fetch(`${t.url}/trpc/catalog.watch`)).status).toBe(429);
      const line = await endLine('/trpc/catalog.watch', 429);
      expect(line.reason, JSON.stringify(line)).toMatch(/live updates/);
    } finally {
      hangUp.abort();
    }
  });

  it('a body too large (413), fastify-made: control case', async () => {
    const response = await fetch(`${t.url}/trpc/admin.restock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"a":"${'x'.repeat(70 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    const line = await endLine('/trpc/admin.restock', 413);
    expect(line.reason, JSON.stringify(line)).toMatch(/too large/i);
  });
});

it('a refused input is named by its fields, never by what was sent', async () => {
  const response = await fetch(`${t.url}/trpc/checkout.start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ checkoutId: 'x', items: 'none', email: 'refused.shopper@example.com' }),
  });
  expect(response.status).toBe(400);
  const line = await vi.waitFor(() => {
    const found = lines().filter((l) => l.reason?.includes('items'));
    if (found.length === 0) throw new Error('no line names items');
    return found.at(-1)!;
  });
  expect(line.reason).not.toContain('refused.shopper');
  expect(written.join('\n')).not.toContain('refused.shopper@');
});

describe('keep-alive and HEAD', () => {
  it('many requests on one keep-alive socket: one line each, no listener warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const { hostname, port } = new URL(t.url);
    const get = (path: string, method = 'GET') =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const request = http.request({ hostname, port, path, method, agent }, (response) => {
          response.resume();
          response.on('end', () =>
            resolve({ status: response.statusCode!, socket: request.socket }),
          );
        });
        request.on('error', reject);
        request.end();
      });
    try {
      const before = lines().filter((l) => l.req?.url === '/healthz?[redacted]').length;
      const sockets = new Set<unknown>();
      for (let i = 0; i < 30; i++) sockets.add((await get(`/healthz?n=${i}`)).socket);
      expect(sockets.size).toBe(1);
      await vi.waitFor(() =>
        expect(lines().filter((l) => l.req?.url === '/healthz?[redacted]').length - before).toBe(
          30,
        ),
      );
      expect((await get('/healthz', 'HEAD')).status).toBe(200);
      const head = await vi.waitFor(() => {
        const found = lines().filter((l) => l.req?.method === 'HEAD' && l.req.url === '/healthz');
        if (found.length === 0) throw new Error('no HEAD line');
        return found;
      });
      expect(head).toHaveLength(1);
      expect(warnings.map(String)).toEqual([]);
      // every line of a request carries its id
      expect(lines().filter((l) => l.req && !l.reqId)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      agent.destroy();
    }
  });
});
