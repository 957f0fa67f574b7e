/**
 * A watch that ends, however it ends, stops listening at once: even when nothing aborts
 * it (a caller without a request signal), no listener is left behind per call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderStream } from '../../server/domain/events';
import { appRouter } from '../../server/http/router';
import { PRODUCTS } from '../../server/live-feed';
import type { TestApp } from '../support/app';
import { ADMIN_TOKEN, startTestApp } from '../support/app';
import { checkout } from '../support/orders';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const caller = () =>
  appRouter.createCaller({
    services: t.app.services,
    log: t.app.services.log,
    authorization: undefined,
    client: '127.0.0.1',
  });

describe('watches let go of the live feed', () => {
  it('order.watch of an unknown order', async () => {
    const orderId = crypto.randomUUID();
    const watch = await caller().order.watch({ orderId });
    await expect(
      (async () => {
        for await (const _ of watch) break;
      })(),
    ).rejects.toThrow(/order/i);
    expect(t.app.services.feed.watchers(orderStream(orderId))).toBe(0);
  });

  it('catalog.watch left after its first listing', async () => {
    const before = t.app.services.feed.watchers(PRODUCTS);
    const watch = await caller().catalog.watch();
    for await (const listing of watch) {
      expect(listing.length).toBeGreaterThan(0);
      break;
    }
    expect(t.app.services.feed.watchers(PRODUCTS)).toBe(before);
  });
});

describe('analytics.watch', () => {
  it('passes on a change made while its first message is being read', async () => {
    const admin = appRouter.createCaller({
      services: t.app.services,
      log: t.app.services.log,
      authorization: `Bearer ${ADMIN_TOKEN}`,
      client: '127.0.0.1',
    });
    const ticks = (await admin.analytics.watch())[Symbol.asyncIterator]();
    expect((await ticks.next()).value).toEqual({ position: null });
    // The first message is in hand and next() not yet called: the read models move now,
    // all the way (so no later change could stand in for a lost one).
    await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    const { store, readModels } = t.app.services;
    const [head] = await store.readAll({ direction: 'backwards', maxCount: 1 });
    const checkpoint = readModels.db
      .prepare('SELECT position FROM checkpoint WHERE id = 1')
      .pluck()
      .safeIntegers();
    await expect.poll(() => (checkpoint.get() as bigint) >= head!.position).toBe(true);
    const next = await Promise.race([
      ticks.next(),
      new Promise((resolve) => setTimeout(() => resolve('no tick within 5 s'), 5_000)),
    ]);
    expect(next).toMatchObject({ done: false, value: { position: expect.any(String) } });
    await ticks.return?.();
  });
});
