/**
 * CORS: only origins in ALLOWED_ORIGINS get an Access-Control-Allow-Origin, on preflights
 * and simple requests alike; look-alike origins get nothing a browser would honour.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { runs } from './support/arbitraries';
import { send } from './support/http';

const ALLOWED = ['http://shop.test', 'https://other.shop.test:8443'];

const FOREIGN = [
  'https://evil.example',
  'http://shop.test.evil.example',
  'http://evil-shop.test',
  'http://evilshop.test',
  'http://shop.test:8080',
  'https://shop.test',
  'http://SHOP.TEST',
  'http://shop.test.',
  'http://sub.shop.test',
  'https://other.shop.test',
  'https://other.shop.test:8444',
  'null',
  'file://',
  'http://shop.test@evil.example',
  'http://shop.test/',
  'http://shop.test, https://evil.example',
  '*',
  '',
];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { ALLOWED_ORIGINS: ALLOWED.join(',') } });
});
afterAll(async () => {
  await t?.close();
});

const preflight = (origin: string, path = '/trpc/checkout.start') =>
  send(t.url, {
    method: 'OPTIONS',
    path,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });

const simple = (origin: string, path = '/trpc/catalog.list') =>
  send(t.url, { path, headers: { origin } });

describe('an allowed origin', () => {
  it.each(ALLOWED)('%s passes the preflight for checkout.start', async (origin) => {
    const response = await preflight(origin);
    expect(response.status).toBeLessThan(300);
    expect(response.headers['access-control-allow-origin']).toBe(origin);
    expect(response.headers['access-control-allow-methods']).toMatch(/POST/);
  });

  it.each(ALLOWED)('%s may read catalog.list', async (origin) => {
    const response = await simple(origin);
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(origin);
    expect(response.headers.vary).toMatch(/Origin/i);
  });
});

describe('a foreign origin', () => {
  const refusedOn = (response: Awaited<ReturnType<typeof simple>>, origin: string) => {
    const allow = response.headers['access-control-allow-origin'];
    expect(
      allow === undefined || (allow !== origin && allow !== '*' && ALLOWED.includes(allow)),
    ).toBe(true);
    expect(response.headers['access-control-allow-credentials']).not.toBe('true');
  };

  it.each(FOREIGN)('%j gets no preflight approval', async (origin) => {
    refusedOn(await preflight(origin), origin);
  });

  it.each(FOREIGN)('%j gets no Access-Control-Allow-Origin on a simple request', async (origin) => {
    refusedOn(await simple(origin), origin);
  });

  it.each(['/trpc/admin.products', '/trpc/order.get', '/healthz', '/metrics', '/webhooks/stripe'])(
    'gets none on %s either',
    async (path) => {
      refusedOn(await preflight('https://evil.example', path), 'https://evil.example');
      refusedOn(await simple('https://evil.example', path), 'https://evil.example');
    },
  );

  it('gets none for any generated origin outside the list', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .webUrl({ withQueryParameters: false, withFragments: false })
          .map((u) => new URL(u).origin),
        async (origin) => {
          fc.pre(!ALLOWED.includes(origin));
          const allow = [
            (await preflight(origin)).headers['access-control-allow-origin'],
            (await simple(origin)).headers['access-control-allow-origin'],
          ];
          expect(allow.filter((a) => a === origin || a === '*')).toEqual([]);
        },
      ),
      runs(100),
    );
  });
});

describe('the server log', () => {
  let logged: TestApp;
  const logLines: string[] = [];
  beforeAll(async () => {
    logged = await startTestApp({
      env: { ALLOWED_ORIGINS: ALLOWED.join(','), LOG_LEVEL: 'warn' },
      logTo: new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      }),
    });
  });
  afterAll(async () => {
    await logged?.close();
  });

  const refusals = () =>
    logLines
      .map((line) => JSON.parse(line) as { msg: string; origin?: string })
      .filter((line) => line.msg.includes('ALLOWED_ORIGINS'));
  const from = (origin: string) =>
    send(logged.url, { path: '/trpc/catalog.list', headers: { origin } });

  it('names a refused origin once, so a site owner sees why an embedded widget fails', async () => {
    const origin = 'http://forgot-to-allow.test:8123';
    await from(origin);
    await from(origin);
    await from(ALLOWED[0]!);
    expect(refusals().map((line) => line.origin)).toEqual([origin]);
    expect(refusals()[0]!.msg).toMatch(/add it to ALLOWED_ORIGINS/);
  });

  it('names no other origin from the same address for a while (the unit test has the limits)', async () => {
    for (let n = 0; n < 30; n++) await from(`http://made-up-${n}.test`);
    expect(refusals()).toHaveLength(1);
  });
});
