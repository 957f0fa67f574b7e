/**
 * A server started on a store its read models are far behind (a new server on an old store,
 * read models deleted for a rebuild, a server that was down a while) listens at once, while
 * its read models catch up: until they have, the shop would show old stock, so /healthz
 * tells a load balancer to send shoppers elsewhere.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { productStream } from '../../server/domain/events';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { startTestApp, type TestApp } from '../support/app';
import { availableOf } from '../support/orders';

const SKU = 'BULK-1';
const ADJUSTMENTS = 120_000;
let t: TestApp | undefined;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'catching-up-'));
  const store = SqliteEventStore.open(path.join(dataDir, 'events.sqlite'), {
    synchronous: 'NORMAL',
  });
  const at = new Date().toISOString();
  const listed = {
    sku: SKU,
    name: SKU,
    description: '',
    image: '',
    unitAmount: 1000,
    currency: 'eur',
    at,
  };
  await store.append(
    productStream(SKU),
    [{ id: randomUUID(), type: 'ProductListed', data: listed }],
    {
      expectedRevision: 'any',
    },
  );
  for (let done = 0; done < ADJUSTMENTS; done += 5_000) {
    const events = Array.from({ length: 5_000 }, () => ({
      id: randomUUID(),
      type: 'StockAdjusted',
      data: { sku: SKU, delta: 1, reason: 'restock', at },
    }));
    await store.append(productStream(SKU), events, { expectedRevision: 'any' });
  }
  await store.close();
}, 120_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('answers 503 "catching up" while the stock shown is old, and ok once it is current', async () => {
  t = await startTestApp({ dataDir, listening: true });
  let caughtUp = false;
  void t.app.services.readModels.caughtUp.then(() => {
    caughtUp = true;
  });
  const seen: { status: number; current: boolean }[] = [];
  while (!caughtUp) {
    const health = await fetch(`${t.url}/healthz`);
    const body = (await health.json()) as { problem?: string };
    const current = (await availableOf(t, SKU)) === ADJUSTMENTS;
    seen.push({ status: health.status, current });
    if (health.status === 503) expect(body.problem).toMatch(/catching up/);
  }
  // Never ok with old stock; and the catch-up was long enough to be seen.
  expect(seen.filter((s) => s.status === 200 && !s.current)).toEqual([]);
  expect(seen.some((s) => s.status === 503)).toBe(true);
  expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  expect(await availableOf(t, SKU)).toBe(ADJUSTMENTS);
}, 120_000);
