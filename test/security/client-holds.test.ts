/**
 * Emails cost nothing to make up, so the units waiting in unpaid checkouts are also capped
 * per client address (MAX_HELD_UNITS_PER_CLIENT): one client inventing a shopper per
 * checkout cannot hold the stock. Each 127.x.y.z source address is a separate client.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp, testCatalog } from '../support/app';
import { RETURN_URL, sessionIdOf } from '../support/orders';
import { footprint } from './support/footprint';
import { freshAddresses, send } from './support/http';

const PER_CLIENT = 6;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: { MAX_HELD_UNITS_PER_CLIENT: String(PER_CLIENT) },
    catalog: testCatalog.map((p) => (p.sku === 'BAGGIO-1994' ? { ...p, stock: 500 } : p)),
  });
});
afterAll(async () => {
  await t?.close();
});

const freshClient = freshAddresses(1);
/** A new made-up shopper on every call. */
const fakeEmail = () => `fake-${randomUUID()}@example.com`;

const startCheckout = (client: string, quantity: number, email = fakeEmail()) =>
  send(t.url, {
    method: 'POST',
    path: '/trpc/checkout.start',
    localAddress: client,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      checkoutId: randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity }],
      email,
      returnUrl: RETURN_URL,
    }),
  });

async function hold(client: string, quantity: number): Promise<string> {
  const response = await startCheckout(client, quantity);
  expect(response.status, response.text).toBe(200);
  return sessionIdOf(JSON.parse(response.text).result.data.checkoutUrl);
}

async function expectRefused(client: string, quantity: number): Promise<void> {
  const before = await footprint(t);
  const response = await startCheckout(client, quantity);
  expect(response.status).toBe(429);
  const error = JSON.parse(response.text).error;
  expect(error.data.code).toBe('TOO_MANY_REQUESTS');
  expect(error.message).toMatch(
    `At most ${PER_CLIENT} units may wait in unpaid checkouts from one address; 6 already do`,
  );
  expect(await footprint(t)).toEqual(before);
}

/** The units come back by webhook and projection: ask until they have, not for a fixed time. */
async function startsAgain(client: string, quantity: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let response = await startCheckout(client, quantity);
  while (response.status === 429 && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    response = await startCheckout(client, quantity);
  }
  expect(response.status, response.text).toBe(200);
}

describe(`units held per client address (MAX_HELD_UNITS_PER_CLIENT=${PER_CLIENT})`, () => {
  it('refuses a client that makes up a shopper per checkout once its address holds the cap, reserving nothing', async () => {
    const client = freshClient();
    for (let i = 0; i < 3; i++) await hold(client, 2);
    await expectRefused(client, 1);
  });

  it('serves another address meanwhile', async () => {
    await hold(freshClient(), PER_CLIENT);
  });

  it('holds the cap against concurrent checkouts from one address', async () => {
    const client = freshClient();
    const responses = await Promise.all(Array.from({ length: 10 }, () => startCheckout(client, 1)));
    expect(responses.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(PER_CLIENT);
  });

  it('gives the address its units back once its checkouts are paid or expire', async () => {
    const client = freshClient();
    const paid = await hold(client, 3);
    const expiring = await hold(client, 3);
    await expectRefused(client, 1);
    await t.sandbox.pay(paid);
    await startsAgain(client, 3);
    await expectRefused(client, 1);
    await t.sandbox.expire(expiring);
    await startsAgain(client, 3);
  });
});
