/**
 * Admin and analytics refuse a missing, malformed or wrong token, of any length and
 * differing anywhere, on every procedure (queries, mutations, the SSE subscription),
 * and change nothing when they refuse. Without ADMIN_TOKEN they are off altogether.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { ADMIN_TOKEN, startTestApp } from '../support/app';
import { footprint } from './support/footprint';
import { type RawRequest, send } from './support/http';
import { sseErrors } from './support/verdict';

type Call = { procedure: string; request: (authorization: string | undefined) => RawRequest };

const headers = (authorization: string | undefined): Record<string, string> =>
  authorization === undefined ? {} : { authorization };

const queryCall = (procedure: string, input?: unknown): Call => ({
  procedure,
  request: (authorization) => ({
    path: `/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
    headers: headers(authorization),
  }),
});

const mutationCall = (procedure: string, input: unknown): Call => ({
  procedure,
  request: (authorization) => ({
    method: 'POST',
    path: `/trpc/${procedure}`,
    headers: { 'content-type': 'application/json', ...headers(authorization) },
    body: JSON.stringify(input),
  }),
});

/** Every guarded procedure with an input it would accept, so only the token can stop it. */
const CALLS: Call[] = [
  queryCall('admin.products'),
  mutationCall('admin.listProduct', {
    sku: 'NEW-CARD',
    name: 'New card',
    unitAmount: 100,
    currency: 'eur',
    stock: 5,
  }),
  mutationCall('admin.updateProduct', {
    sku: 'BAGGIO-1994',
    name: 'Baggio (cheap)',
    unitAmount: 1,
    currency: 'eur',
  }),
  mutationCall('admin.delistProduct', { sku: 'BAGGIO-1994' }),
  mutationCall('admin.adjustStock', { sku: 'PELE-1958', delta: -3, reason: 'stolen' }),
  mutationCall('admin.settleShortfall', {
    sku: 'PELE-1958',
    orderId: '00000000-0000-4000-8000-000000000000',
    reason: 'refunded',
  }),
  queryCall('analytics.sales', {}),
  queryCall('analytics.funnel', {}),
  queryCall('analytics.orders', { email: 'fan' }),
  queryCall('analytics.stock'),
];

const WATCH = (params: unknown): RawRequest => ({
  path: `/trpc/analytics.watch${params === undefined ? '' : `?connectionParams=${encodeURIComponent(JSON.stringify(params))}`}`,
  readMs: 500,
});

const flip = (c: string) => (c === 'a' ? 'b' : 'a');

const MALFORMED: [string, string | undefined][] = [
  ['no header', undefined],
  ['an empty header', ''],
  ['the scheme alone', 'Bearer'],
  ['the scheme and a space', 'Bearer '],
  ['the token without a scheme', ADMIN_TOKEN],
  ['another scheme', `Token ${ADMIN_TOKEN}`],
  ['Basic credentials', `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`],
  ['two spaces after Bearer', `Bearer  ${ADMIN_TOKEN}`],
  ['the token twice', `Bearer ${ADMIN_TOKEN}${ADMIN_TOKEN}`],
  ['two credentials in one header', `Bearer wrong, Bearer ${ADMIN_TOKEN}`],
  ['the token upper-cased', `Bearer ${ADMIN_TOKEN.toUpperCase()}`],
  ['the token minus its last character', `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
  ['the token plus a character', `Bearer ${ADMIN_TOKEN}x`],
  ['the token with a NUL inside', `Bearer ${ADMIN_TOKEN}\u0000`],
  ['a JSON-ish token', 'Bearer {"token":true}'],
  ['undefined', 'Bearer undefined'],
  ['null', 'Bearer null'],
];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function expectUnauthorized(call: Call, authorization: string | undefined) {
  const before = await footprint(t);
  const response = await send(t.url, call.request(authorization));
  expect(response.status, `${call.procedure} with ${JSON.stringify(authorization)}`).toBe(401);
  const body = JSON.parse(response.text);
  expect(body.error.data.code).toBe('UNAUTHORIZED');
  expect(body.error.message).toMatch(/Authorization: Bearer/);
  expect(await footprint(t)).toEqual(before);
}

describe('a malformed or wrong Authorization header', () => {
  it.each(
    CALLS.flatMap((call) => MALFORMED.map(([name, value]) => [call.procedure, name, call, value])),
  )('%s refuses %s', async (_procedure, _name, call, authorization) => {
    // A NUL cannot travel in an HTTP header; Node refuses to send it, which is no test.
    if (typeof authorization === 'string' && authorization.includes('\u0000')) {
      await expect(send(t.url, (call as Call).request(authorization))).rejects.toThrow();
      return;
    }
    await expectUnauthorized(call as Call, authorization as string | undefined);
  });
});

describe('wrong tokens', () => {
  const guarded = CALLS.filter((c) =>
    ['admin.adjustStock', 'analytics.orders', 'admin.products'].includes(c.procedure),
  );

  it('of every length from 1 to twice the real one are refused', async () => {
    for (const call of guarded) {
      for (let length = 1; length <= ADMIN_TOKEN.length * 2 + 2; length++) {
        const wrong = Array.from({ length }, (_, i) => ADMIN_TOKEN[i % ADMIN_TOKEN.length]).join(
          '',
        );
        await expectUnauthorized(call, `Bearer ${wrong === ADMIN_TOKEN ? `${wrong}!` : wrong}`);
      }
    }
  });

  it('of the right length differing in any one position are refused', async () => {
    for (const call of guarded) {
      for (let i = 0; i < ADMIN_TOKEN.length; i++) {
        const wrong = ADMIN_TOKEN.slice(0, i) + flip(ADMIN_TOKEN[i]!) + ADMIN_TOKEN.slice(i + 1);
        await expectUnauthorized(call, `Bearer ${wrong}`);
      }
    }
  });

  it('in a duplicated header do not get through beside the right one', async () => {
    const before = await footprint(t);
    const response = await send(t.url, {
      method: 'POST',
      path: '/trpc/admin.adjustStock',
      headers: {
        'content-type': 'application/json',
        authorization: ['Bearer wrong', `Bearer ${ADMIN_TOKEN}`],
      },
      body: JSON.stringify({ sku: 'PELE-1958', delta: -3, reason: 'stolen' }),
    });
    expect(response.status).toBe(401);
    expect(await footprint(t)).toEqual(before);
  });
});

describe('the analytics subscription', () => {
  it.each([
    ['no connection params', undefined],
    ['no token', {}],
    ['a wrong token', { token: 'wrong' }],
    ['a token of the wrong type', { token: 12345 }],
    ['the token minus a character', { token: ADMIN_TOKEN.slice(0, -1) }],
  ])('refuses %s', async (_name, params) => {
    const response = await send(t.url, WATCH(params));
    const errors = sseErrors(response) as { data?: { code?: string } }[];
    const refusedOutright = response.status === 401 || response.status === 400;
    expect(
      refusedOutright ||
        errors.some((e) => e.data?.code === 'UNAUTHORIZED' || e.data?.code === 'PARSE_ERROR'),
    ).toBe(true);
    expect(response.text).not.toMatch(/"position"/);
  });

  it('streams with the right token', async () => {
    const response = await send(t.url, WATCH({ token: ADMIN_TOKEN }));
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/"position":null/);
  });

  it('is the only use of a token in the URL: queries refuse it (proxies log URLs)', async () => {
    const params = encodeURIComponent(JSON.stringify({ token: ADMIN_TOKEN }));
    for (const path of [
      `/trpc/analytics.sales?input=${encodeURIComponent('{}')}&connectionParams=${params}`,
      `/trpc/admin.products?connectionParams=${params}`,
    ]) {
      const response = await send(t.url, { path });
      expect(response.status, path).toBe(401);
    }
  });
});

describe('the right token', () => {
  it.each(CALLS.filter((c) => !c.request(undefined).body))('opens %s', async (call) => {
    const response = await send(t.url, call.request(`Bearer ${ADMIN_TOKEN}`));
    expect(response.status).toBe(200);
  });
});

describe('without ADMIN_TOKEN', () => {
  let off: TestApp;
  beforeAll(async () => {
    off = await startTestApp({ env: { ADMIN_TOKEN: '' } });
  });
  afterAll(async () => {
    await off?.close();
  });

  it.each(
    CALLS.flatMap((call) =>
      [undefined, 'Bearer ', 'Bearer undefined', `Bearer ${ADMIN_TOKEN}`].map((a) => [
        call.procedure,
        a,
        call,
      ]),
    ),
  )('%s is off (403) with %j', async (_procedure, authorization, call) => {
    const before = await footprint(off);
    const response = await send(
      off.url,
      (call as Call).request(authorization as string | undefined),
    );
    expect(response.status).toBe(403);
    expect(JSON.parse(response.text).error.message).toMatch(/ADMIN_TOKEN/);
    expect(await footprint(off)).toEqual(before);
  });
});
