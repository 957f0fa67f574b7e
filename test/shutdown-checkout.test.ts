/**
 * Stopping the server while a checkout.start whose client has gone (a closed tab, a proxy's
 * timeout) still waits on Stripe: the server no longer counts the connection, but close()
 * waits for the checkout, so its session is recorded before the store closes and nothing
 * is appended after; the shopper's retry after the restart gets that one order and session.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { productStream } from '../server/domain/events';
import { orderIdFor } from '../server/domain/ids';
import { startTestApp } from './support/app';
import { availableOf, orderEvents, RETURN_URL } from './support/orders';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe('app.close() while checkout.start waits on Stripe, the shopper having hung up', () => {
  it('waits for the checkout to finish (nothing appended to a closed store), and the retry after restart gets one order, one session, stock held once', async () => {
    const first = await startTestApp();
    const sandbox = first.sandbox;
    cleanups.push(() => sandbox.close());
    const errors: unknown[] = [];
    const origAppend = first.app.services.store.append.bind(first.app.services.store);
    let closed = false;
    // Record appends attempted after close() resolved.
    (first.app.services.store as { append: unknown }).append = async (...args: unknown[]) => {
      if (closed) errors.push(new Error(`append after close to ${String(args[0])}`));
      return (origAppend as (...a: unknown[]) => Promise<unknown>)(...args);
    };
    const before = await availableOf(first, 'BAGGIO-1994');
    const checkoutId = randomUUID();
    const orderId = orderIdFor(checkoutId);
    const input = {
      checkoutId,
      items: [{ sku: 'BAGGIO-1994', quantity: 2 }],
      email: 'shutdown@example.com',
      returnUrl: RETURN_URL,
    };
    // Stripe takes 1.5 s over the session.
    sandbox.failNext('in_progress', 1);
    const abort = new AbortController();
    const request = fetch(`${first.url}/trpc/checkout.start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://shop.test' },
      body: JSON.stringify(input),
      signal: abort.signal,
    }).catch(() => undefined);
    // Wait until the stock is reserved (the request is now at Stripe).
    await expect
      .poll(
        async () =>
          (await first.app.services.store.readStream(productStream('BAGGIO-1994'))).some(
            (e) => (e.data as { orderId?: string }).orderId === orderId,
          ),
        { timeout: 5000, interval: 20 },
      )
      .toBe(true);
    // The shopper's tab goes away (or a proxy times out) and the server gets SIGTERM.
    abort.abort();
    await request;
    await first.app.close();
    closed = true;

    const second = await startTestApp({ dataDir: first.dataDir, sharedSandbox: sandbox });
    cleanups.push(() => second.close());
    // The checkout was finished before the store closed: its session is recorded.
    expect((await orderEvents(second.app.services.store, orderId)).map((e) => e.type)).toEqual([
      'CartValidated',
      'CheckoutStarted',
    ]);
    const result = await second.client.checkout.start.mutate(input);
    expect(result.orderId).toBe(orderId);
    const sessions = sandbox
      .sessions()
      .filter((s: { metadata?: Record<string, string> }) => JSON.stringify(s).includes(orderId));
    expect(sessions).toHaveLength(1);
    expect((await orderEvents(second.app.services.store, orderId)).map((e) => e.type)).toEqual([
      'CartValidated',
      'CheckoutStarted',
    ]);
    expect(await availableOf(second, 'BAGGIO-1994')).toBe(before - 2);
    expect(errors).toEqual([]);
  }, 30_000);
});
