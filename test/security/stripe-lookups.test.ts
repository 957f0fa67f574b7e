/**
 * The success page's Stripe lookups are limited per server and on the server's clock: two
 * servers in one process keep their own budgets, and moving a server's clock is all it takes
 * for an order to be looked up again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp } from '../support/app';
import { checkout } from '../support/orders';

type Order = Awaited<ReturnType<typeof checkout>>;

type Shop = Awaited<ReturnType<typeof startShop>>;

/** A server on a clock of its own, held still unless a test moves it. */
async function startShop() {
  let clockMs = Date.now();
  const stripeCalls: string[] = [];
  const t = await startTestApp({
    sandbox: { log: (line) => stripeCalls.push(line) },
    now: () => new Date(clockMs),
  });
  return {
    t,
    advance: (ms: number) => {
      clockMs += ms;
    },
    order: () => checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]),
    successPage: (order: Order) =>
      t.client.order.get.query({ orderId: order.orderId, sessionId: order.sessionId }),
    /** How many times this server asked Stripe about these orders' sessions. */
    asked: (...orders: Order[]) =>
      stripeCalls.filter((line) =>
        orders.some((order) => line.startsWith(`GET /v1/checkout/sessions/${order.sessionId}`)),
      ).length,
  };
}

let a: Shop;
let b: Shop;
beforeAll(async () => {
  [a, b] = await Promise.all([startShop(), startShop()]);
});
afterAll(async () => {
  await Promise.all([a?.t.close(), b?.t.close()]);
});

it('gives each server its own lookup budget, though one process runs both', async () => {
  const spent: Order[] = [];
  for (let i = 0; i < 6; i++) spent.push(await a.order());
  for (const order of spent) await a.successPage(order);
  expect(a.asked(...spent)).toBe(5);

  const other = await b.order();
  await b.successPage(other);
  expect(b.asked(other)).toBe(1);
});

it('looks the same order up again once the server clock has moved 5 seconds', async () => {
  const order = await b.order();
  await b.successPage(order);
  await b.successPage(order);
  expect(b.asked(order)).toBe(1);

  b.advance(4_999);
  await b.successPage(order);
  expect(b.asked(order)).toBe(1);

  b.advance(1);
  await b.successPage(order);
  expect(b.asked(order)).toBe(2);
});
