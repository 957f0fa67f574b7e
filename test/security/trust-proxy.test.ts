/**
 * Which address the per-client limits count against. Behind a proxy named in TRUST_PROXY,
 * it is the right-most X-Forwarded-For entry, the one that proxy appended; the entries
 * left of it are the client's own words. Anyone else, and everyone when TRUST_PROXY is
 * off, is counted by the address it connects from, whatever the header says.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { RETURN_URL } from '../support/orders';
import { send } from './support/http';

const RATE_LIMIT = 3;
/** What one client sees starting RATE_LIMIT + 3 checkouts within a minute. */
const ONE_CLIENT = [200, 200, 200, 429, 429, 429];
/** The site's own proxy, as the test's requests come from it (each 127.x.y.z is a host). */
const PROXY = '127.9.0.1';

let t: TestApp;

/** Starts a checkout from a source address, with an X-Forwarded-For; answers the status. */
async function startCheckout(from: string, forwardedFor: string): Promise<number> {
  const response = await send(t.url, {
    method: 'POST',
    path: '/trpc/checkout.start',
    localAddress: from,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({
      checkoutId: randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'proxied@example.com',
      returnUrl: RETURN_URL,
    }),
  });
  expect([200, 429], response.text).toContain(response.status);
  return response.status;
}

/** The statuses of RATE_LIMIT + 3 checkouts from one address, the n-th forwarding `forwardedFor(n)`. */
async function checkoutStatuses(from: string, forwardedFor: (n: number) => string) {
  const statuses: number[] = [];
  for (let n = 0; n < ONE_CLIENT.length; n++) {
    statuses.push(await startCheckout(from, forwardedFor(n)));
  }
  return statuses;
}

describe(`behind a proxy named in TRUST_PROXY (${PROXY})`, () => {
  beforeAll(async () => {
    t = await startTestApp({
      env: { TRUST_PROXY: PROXY, CHECKOUT_RATE_LIMIT: String(RATE_LIMIT) },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts a client by the entry the proxy appended, not the ones the client wrote', async () => {
    const statuses = await checkoutStatuses(PROXY, (n) => `198.51.100.${n + 1}, 203.0.113.7`);
    expect(statuses).toEqual(ONE_CLIENT);
  });

  it('tells the clients behind the proxy apart', async () => {
    expect(await checkoutStatuses(PROXY, () => '203.0.113.20')).toEqual(ONE_CLIENT);
    expect(await startCheckout(PROXY, '203.0.113.21')).toBe(200);
  });

  it('counts a client that connects directly by its address, whatever it forwards', async () => {
    const statuses = await checkoutStatuses('127.9.0.2', (n) => `203.0.113.${n + 100}`);
    expect(statuses).toEqual(ONE_CLIENT);
  });
});

describe('with TRUST_PROXY off (the default)', () => {
  beforeAll(async () => {
    t = await startTestApp({ env: { CHECKOUT_RATE_LIMIT: String(RATE_LIMIT) } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts every client by the address it connects from, whatever it forwards', async () => {
    const statuses = await checkoutStatuses(
      PROXY,
      (n) => `198.51.100.${n + 1}, 203.0.113.${n + 1}`,
    );
    expect(statuses).toEqual(ONE_CLIENT);
  });
});
