/**
 * Limits that keep one client from holding the stock: checkout.start calls per client
 * per minute (CHECKOUT_RATE_LIMIT), and units one shopper may hold in unpaid checkouts
 * (MAX_HELD_UNITS). Each 127.x.y.z source address is a separate client to the server.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckout as startCheckoutOf } from '../../server/checkout/start-checkout';
import { buildHttpServer } from '../../server/http/server';
import type { TestApp } from '../support/app';
import { startTestApp, testCatalog } from '../support/app';
import { RETURN_URL, sessionIdOf } from '../support/orders';
import { footprint } from './support/footprint';
import { freshAddresses, type RawResponse, send } from './support/http';

const RATE_LIMIT = 5;
const MAX_HELD = 4;
const MAX_STREAMS = 3;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: {
      CHECKOUT_RATE_LIMIT: String(RATE_LIMIT),
      MAX_HELD_UNITS: String(MAX_HELD),
      MAX_STREAMS_PER_CLIENT: String(MAX_STREAMS),
    },
    catalog: testCatalog.map((p) => (p.sku === 'BAGGIO-1994' ? { ...p, stock: 500 } : p)),
  });
});
afterAll(async () => {
  await t?.close();
});

/** A source address no earlier request used: a fresh client for the rate limiter. */
const freshClient = freshAddresses(0);

const cart = (email: string, quantity = 1) => ({
  checkoutId: randomUUID(),
  items: [{ sku: 'BAGGIO-1994', quantity }],
  email,
  returnUrl: RETURN_URL,
});

const startCheckout = (client: string, body: unknown, path = '/trpc/checkout.start') =>
  send(t.url, {
    method: 'POST',
    path,
    localAddress: client,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Spends a client's whole budget on requests that are refused anyway (400). */
async function exhaust(client: string, headers: Record<string, string> = {}) {
  for (let i = 0; i < RATE_LIMIT; i++) {
    const response = await send(t.url, {
      method: 'POST',
      path: '/trpc/checkout.start',
      localAddress: client,
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
    expect(response.status).toBe(400);
  }
}

const cartsValidated = async () =>
  (await t.app.services.store.readAll()).filter((e) => e.type === 'CartValidated').length;

const messageOf = (response: RawResponse): string => {
  const body = JSON.parse(response.text);
  return body.message ?? body.error?.message ?? '';
};

describe('checkout.start rate limit per client', () => {
  it(`refuses call ${RATE_LIMIT + 1} within a minute with 429 and a clear message`, async () => {
    const client = freshClient();
    await exhaust(client);
    const before = await footprint(t);
    const response = await startCheckout(client, cart('limited@example.com'));
    expect(response.status).toBe(429);
    expect(messageOf(response)).toMatch(/rate limit|too many/i);
    expect(response.headers['retry-after']).toBeDefined();
    // Refused before the router, yet with the security headers every answer carries.
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(await footprint(t)).toEqual(before);
  });

  it('lets a shop on an allowed origin read the 429 (CORS headers on it)', async () => {
    const client = freshClient();
    await exhaust(client);
    const response = await send(t.url, {
      method: 'POST',
      path: '/trpc/checkout.start',
      localAddress: client,
      headers: { 'content-type': 'application/json', origin: 'http://shop.test' },
      body: JSON.stringify(cart('cross-origin@example.com')),
    });
    expect(response.status).toBe(429);
    expect(response.headers['access-control-allow-origin']).toBe('http://shop.test');
  });

  it('serves another client meanwhile', async () => {
    const limited = freshClient();
    await exhaust(limited);
    const response = await startCheckout(freshClient(), cart('other-client@example.com'));
    expect(response.status).toBe(200);
  });

  it('leaves every other route of the limited client alone', async () => {
    const client = freshClient();
    await exhaust(client);
    const paths = [
      '/trpc/catalog.list',
      `/trpc/order.get?input=${encodeURIComponent(JSON.stringify({ orderId: randomUUID() }))}`,
      '/healthz',
      '/metrics',
    ];
    for (let round = 0; round < 3 * RATE_LIMIT; round++) {
      for (const path of paths) {
        const response = await send(t.url, { path, localAddress: client });
        expect(response.status, path).not.toBe(429);
      }
    }
  });

  it('is not reset by a made-up X-Forwarded-For', async () => {
    const client = freshClient();
    await exhaust(client, { 'x-forwarded-for': '203.0.113.1' });
    const response = await send(t.url, {
      method: 'POST',
      path: '/trpc/checkout.start',
      localAddress: client,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify(cart('spoofer@example.com')),
    });
    expect(response.status).toBe(429);
  });

  it('applies to a batch that names checkout.start', async () => {
    const client = freshClient();
    await exhaust(client);
    const before = await footprint(t);
    const response = await startCheckout(
      client,
      { 0: cart('batch-a@example.com') },
      '/trpc/checkout.start?batch=1',
    );
    expect(response.status).toBe(429);
    expect(await footprint(t)).toEqual(before);
  });

  it(`counts each checkout.start in a batch: one batch cannot start more than ${RATE_LIMIT}`, async () => {
    const calls = RATE_LIMIT * 2;
    const before = await cartsValidated();
    const inputs = Object.fromEntries(
      Array.from({ length: calls }, (_, i) => [String(i), cart(`batch-${i}@example.com`)]),
    );
    await startCheckout(
      freshClient(),
      inputs,
      `/trpc/${Array(calls).fill('checkout.start').join(',')}?batch=1`,
    );
    expect((await cartsValidated()) - before).toBeLessThanOrEqual(RATE_LIMIT);
  });

  it('applies to a percent-encoded procedure name', async () => {
    const client = freshClient();
    await exhaust(client);
    const before = await footprint(t);
    const response = await startCheckout(
      client,
      cart('encoded@example.com'),
      '/trpc/checkout%2Estart',
    );
    expect(response.status).toBe(429);
    expect(await footprint(t)).toEqual(before);
  });

  it('applies however the path to tRPC is spelled (/%74rpc/ is /trpc/ to the router)', async () => {
    const client = freshClient();
    await exhaust(client);
    const before = await footprint(t);
    for (const path of ['/%74rpc/checkout.start', '/%74%72%70%63/checkout%2estart']) {
      expect((await startCheckout(client, cart('spelled@example.com'), path)).status, path).toBe(
        429,
      );
    }
    const batch = await startCheckout(
      freshClient(),
      { 0: cart('spelled-a@example.com'), 1: cart('spelled-b@example.com') },
      '/%74rpc/checkout.start,checkout.start?batch=1',
    );
    expect(batch.status).toBe(400);
    expect(messageOf(batch)).toMatch(/cannot be batched/);
    expect(batch.headers['x-content-type-options']).toBe('nosniff');
    expect(await footprint(t)).toEqual(before);
  });
});

describe(`units held per shopper (MAX_HELD_UNITS=${MAX_HELD})`, () => {
  async function hold(email: string, quantity: number) {
    const response = await startCheckout(freshClient(), cart(email, quantity));
    expect(response.status, response.text).toBe(200);
    return JSON.parse(response.text).result.data as { orderId: string; checkoutUrl: string };
  }

  async function expectHoldRefused(email: string, quantity: number) {
    const before = await footprint(t);
    const response = await startCheckout(freshClient(), cart(email, quantity));
    expect(response.status).toBe(429);
    const error = JSON.parse(response.text).error;
    expect(error.data.code).toBe('TOO_MANY_REQUESTS');
    expect(error.message).toMatch(new RegExp(`At most ${MAX_HELD} units`));
    // Anyone may type a shopper's email: the refusal must not say how much that shopper holds.
    expect(error.message).not.toMatch(/already/);
    expect(await footprint(t)).toEqual(before);
  }

  it('refuses the next unit to a shopper already holding the cap, reserving nothing', async () => {
    await hold('holder@example.com', 2);
    await hold('holder@example.com', 2);
    await expectHoldRefused('holder@example.com', 1);
  });

  it('refuses a single cart bigger than the cap', async () => {
    await expectHoldRefused('greedy@example.com', MAX_HELD + 1);
  });

  it('lets another shopper hold up to the cap meanwhile', async () => {
    await hold('someone-else@example.com', MAX_HELD);
  });

  it('counts the same address in another letter case as the same shopper', async () => {
    await hold('casey@example.com', MAX_HELD);
    await expectHoldRefused('Casey@Example.COM', 1);
  });

  it('holds the cap against concurrent checkouts by one shopper', async () => {
    const email = 'rush@example.com';
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => startCheckout(freshClient(), cart(email, 1))),
    );
    const started = responses.filter((r) => r.status === 200).length;
    expect(responses.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(started).toBeLessThanOrEqual(MAX_HELD);
  });

  it('answers a double click with the one order, not with its own units over the cap', async () => {
    // Called directly, so both requests read the order before either has validated it.
    const { services } = t.app;
    const deps = { ...services, publicUrl: services.config.publicUrl };
    const input = { ...cart('double@example.com', MAX_HELD - 1), client: freshClient() };
    const [a, b] = await Promise.all([startCheckoutOf(deps, input), startCheckoutOf(deps, input)]);
    expect(b).toEqual(a);
  });

  it('gives the units back once the shopper’s checkout expires', async () => {
    const email = 'expiring@example.com';
    const held = await hold(email, MAX_HELD);
    await expectHoldRefused(email, 1);
    await t.sandbox.expire(sessionIdOf(held.checkoutUrl));
    // The release travels by webhook and projection: wait for it, not for a fixed time.
    const deadline = Date.now() + 10_000;
    let response = await startCheckout(freshClient(), cart(email, 1));
    while (response.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      response = await startCheckout(freshClient(), cart(email, 1));
    }
    expect(response.status).toBe(200);
  });
});

describe(`live updates per client (MAX_STREAMS_PER_CLIENT=${MAX_STREAMS})`, () => {
  /** Opens a catalog.watch stream from `client`; resolves with its status once the headers come. */
  function watch(client: string) {
    return new Promise<{ status: number; request: http.ClientRequest }>((resolve, reject) => {
      const request = http.get(
        `${t.url}/trpc/catalog.watch`,
        { agent: false, localAddress: client },
        (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, request });
        },
      );
      request.on('error', reject);
    });
  }

  it('refuses one stream more than the cap, and takes one again once another closes', async () => {
    const client = freshClient();
    const open = await Promise.all(Array.from({ length: MAX_STREAMS + 2 }, () => watch(client)));
    const statuses = open.map((o) => o.status).sort();
    expect(statuses).toEqual([...Array(MAX_STREAMS).fill(200), 429, 429]);
    // Another client is not affected.
    const other = await watch(freshClient());
    expect(other.status).toBe(200);

    const first = open.find((o) => o.status === 200)!;
    const closed = new Promise((resolve) => first.request.once('close', resolve));
    first.request.destroy();
    await closed;
    await expect
      .poll(async () => {
        const again = await watch(client);
        again.request.destroy();
        return again.status;
      })
      .toBe(200);
    for (const o of [...open, other]) o.request.destroy();
  });
});

describe('a request that stops arriving, or a client that stops reading', () => {
  // Node closes such a request when its check (every 30 s) finds it late, and a socket that
  // makes no progress once its timeout has passed: too slow for a test of the behaviour, so
  // this checks the settings that make it happen.
  it('is given 30 s to arrive whole, and a connection 60 s without progress, then closed', async () => {
    const http = await buildHttpServer(t.app.services, { widgetDir: '/nonexistent' });
    try {
      await http.ready();
      expect(http.server.requestTimeout).toBe(30_000);
      // Longer than a checkout.start's two tries at Stripe (10 s each by default).
      expect(http.server.timeout).toBe(60_000);
    } finally {
      await http.close();
    }
  });
});

describe('a multipart body on the API', () => {
  /** POSTs a multipart body of about `bytes`; the status, and whether all of it was sent by then. */
  function postMultipart(path: string, bytes: number) {
    const chunk = Buffer.alloc(64 * 1024, 97);
    const chunks = Math.ceil(bytes / chunk.length);
    return new Promise<{ status: number; sentWhole: boolean }>((resolve) => {
      let written = 0;
      let sentWhole = false;
      const request = http.request(`${t.url}${path}`, {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'multipart/form-data; boundary=x',
          'content-length': chunks * chunk.length,
        },
      });
      request.on('response', (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, sentWhole });
        request.destroy();
      });
      // Closed on us while we were still sending: refused before it was read.
      request.on('error', () => resolve({ status: -1, sentWhole }));
      const write = () => {
        while (written < chunks) {
          written++;
          if (!request.write(chunk)) {
            request.once('drain', write);
            return;
          }
        }
        sentWhole = true;
        request.end();
      };
      write();
    });
  }

  // tRPC's own parser would hand it to tRPC whole, past the 64 KB limit JSON has.
  it('is refused with 415 before it is read, whatever its size', async () => {
    const answer = await postMultipart('/trpc/checkout.start', 32 * 1024 * 1024);
    expect(answer).toEqual({ status: 415, sentWhole: false });
    expect((await postMultipart('/trpc/order.cancel', 100)).status).toBe(415);
  });
});
