/**
 * Two servers on one data dir sweep the same expired reservation at the same moment: the
 * stock goes back once, and only the round that ended the order reports it swept.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { staleOpenOrders } from '../../projections/checkout-queries';
import { productStream } from '../../server/domain/events';
import { catalogEntry, startTestApp, type TestApp } from '../support/app';
import { checkout } from '../support/orders';

const SKU = 'SWEPT-TWICE';
let a: TestApp;
let b: TestApp;
let aheadMs = 0;
const now = () => new Date(Date.now() + aheadMs);
beforeAll(async () => {
  const options = {
    catalog: [catalogEntry(SKU, 10)],
    now,
    env: { RESERVATION_GRACE_SECONDS: '60' },
  };
  a = await startTestApp(options);
  b = await startTestApp({ ...options, dataDir: a.dataDir, sharedSandbox: a.sandbox });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

it('reports an order swept by the round that swept it only, and releases it once', async () => {
  // Stripe's expired notice never comes.
  a.sandbox.setWebhookUrl(undefined);
  const order = await checkout(a, [{ sku: SKU, quantity: 2 }]);
  aheadMs = (31 * 60 + 61) * 1000;
  // Stripe's clock too, its expiry running late: both servers find the session open there.
  a.sandbox.advanceClock(aheadMs, { expireDue: false });
  const cutoff = () => new Date(now().getTime() - 32 * 60_000).toISOString();
  await expect
    .poll(() => staleOpenOrders(a.app.services.readModels.db, cutoff()))
    .toContain(order.orderId);
  const [first, second] = await Promise.all([a.app.sweep(), b.app.sweep()]);
  const released = (await a.app.services.store.readStream(productStream(SKU))).filter(
    (e) => e.type === 'StockReleased',
  );
  expect(released).toHaveLength(1);
  expect([...first.swept, ...second.swept]).toEqual([order.orderId]);
});
