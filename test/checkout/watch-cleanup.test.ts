/**
 * A watch that ends, however it ends, stops listening at once: even when nothing aborts
 * it (a caller without a request signal), no listener is left behind per call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderStream } from '../../server/domain/events';
import { appRouter } from '../../server/http/router';
import { PRODUCTS } from '../../server/live-feed';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';

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
