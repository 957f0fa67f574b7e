/**
 * One popular product, three servers on one data dir (three processes behind a load
 * balancer, two with the writer thread and one without), 600 checkouts at once with plenty
 * of stock: every one starts. Losing the race for the product's stream to another server is
 * no failure: the batch reads the winner's events and decides again, taking turns.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { productStream } from '../../server/domain/events';
import { catalogEntry, startTestApp, type TestApp } from '../support/app';
import { RETURN_URL } from '../support/orders';

const SKU = 'HOT-1';
const CHECKOUTS = 600;
const apps: TestApp[] = [];
beforeAll(async () => {
  const catalog = [catalogEntry(SKU, 100_000)];
  const first = await startTestApp({ catalog });
  apps.push(first);
  for (const writerThread of ['false', 'true']) {
    apps.push(
      await startTestApp({
        catalog,
        dataDir: first.dataDir,
        sharedSandbox: first.sandbox,
        env: { SQLITE_WRITER_THREAD: writerThread },
      }),
    );
  }
});
afterAll(async () => {
  for (const t of apps.reverse()) await t.close();
});

it('starts every checkout of a product three servers sell at once', async () => {
  const outcomes = await Promise.all(
    Array.from({ length: CHECKOUTS }, (_, i) =>
      apps[i % apps.length]!.client.checkout.start.mutate({
        checkoutId: randomUUID(),
        items: [{ sku: SKU, quantity: 1 }],
        email: `hot${i}@example.com`,
        returnUrl: RETURN_URL,
      }).then(
        () => 'started',
        (error: Error) => error.message,
      ),
    ),
  );
  expect(outcomes.filter((o) => o !== 'started')).toEqual([]);
  const events = await apps[0]!.app.services.store.readStream(productStream(SKU));
  expect(events.filter((e) => e.type === 'StockReserved')).toHaveLength(CHECKOUTS);
}, 60_000);
