/**
 * Security headers (@fastify/helmet) on what a browser renders or sniffs: /healthz, the
 * API's JSON, and a page served through `pages` as the demo shop is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { type RawResponse, send } from './support/http';

let t: TestApp;
beforeAll(async () => {
  const pageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-page-'));
  fs.writeFileSync(
    path.join(pageDir, 'index.html'),
    '<!doctype html><title>Shop</title><stripe-cart></stripe-cart>',
  );
  t = await startTestApp({ pages: [{ prefix: '/shop/', root: pageDir }] });
});
afterAll(async () => {
  await t?.close();
});

const TARGETS: [string, string][] = [
  ['/healthz', '/healthz'],
  ['a page served through pages', '/shop/index.html'],
  ['the API', '/trpc/catalog.list'],
  ['an unknown path', '/no/such/page'],
];

const get = (target: string) => send(t.url, { path: target });

function directives(response: RawResponse): Map<string, string> {
  const policy = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0]!.toLowerCase(), d.split(/\s+/).slice(1).join(' ')]),
  );
}

describe.each(TARGETS)('%s', (_name, target) => {
  it('is served (the page really is there)', async () => {
    const response = await get(target);
    expect(response.status).toBe(target === '/no/such/page' ? 404 : 200);
  });

  it('forbids MIME sniffing', async () => {
    expect((await get(target)).headers['x-content-type-options']).toBe('nosniff');
  });

  it('has a Content-Security-Policy with a default-src and no unsafe-eval', async () => {
    const policy = directives(await get(target));
    expect(policy.has('default-src')).toBe(true);
    expect([...policy.values()].join(' ')).not.toMatch(/unsafe-eval/);
  });

  it('cannot be framed by another site', async () => {
    const response = await get(target);
    const ancestors = directives(response).get('frame-ancestors');
    const frameOptions = String(response.headers['x-frame-options'] ?? '').toUpperCase();
    expect(
      ancestors === "'none'" ||
        ancestors === "'self'" ||
        ['DENY', 'SAMEORIGIN'].includes(frameOptions),
    ).toBe(true);
  });

  it('sends a Referrer-Policy that keeps paths and queries to itself', async () => {
    expect((await get(target)).headers['referrer-policy']).toMatch(
      /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/,
    );
  });

  it('does not announce the server software', async () => {
    const response = await get(target);
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});

describe('a path fastify refuses before any route or hook (bad percent-encoding, too long a batch)', () => {
  it.each([
    ['/%', 400],
    ['/trpc/checkout.start%', 400],
    ['/admin/%', 400],
    [`/trpc/${'catalog.list,'.repeat(90)}catalog.list?batch=1`, 414],
  ])(
    '%s gets the headers of every other answer, CORS, and no echo of the path',
    async (target, status) => {
      const response = await send(t.url, { path: target, headers: { origin: 'http://shop.test' } });
      expect(response.status).toBe(status);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(directives(response).get('frame-ancestors')).toBe("'none'");
      // An allowed page can read why, as it can a 413 or a 429.
      expect(response.headers['access-control-allow-origin']).toBe('http://shop.test');
      expect(response.text).not.toContain('%');
    },
  );
});
