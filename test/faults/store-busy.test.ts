/**
 * Store busy: two production server processes on one SQLite file, loaded at once with
 * checkouts and webhooks for the same few products, so every product stream is fought
 * over across processes. No SQLITE_BUSY and no 5xx may reach a client, conflicts must be
 * retried inside the bound, stock never oversold, and every acknowledged append kept.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox';
import { startSandbox } from '../../demo/sandbox';
import type { CatalogEntry } from '../../server/catalog/catalog-file';
import type { EventStore } from '../../server/eventstore/port';
import { clientFor } from '../support/app';
import { RETURN_URL, sessionIdOf } from '../support/orders';
import type { ServerProcess } from '../support/server-process';
import { startServerProcess } from '../support/server-process';
import {
  cards,
  freePort,
  openStore,
  serverEnv,
  tally,
  tempDir,
  waitUntil,
  writeCatalog,
} from './harness';
import { heldUnits, ledgerOf, orphanHolds } from './ledger';
import { appendCounts } from './metrics';
import {
  checkpointPosition,
  diffRows,
  headPosition,
  readModelRows,
  readModelsOf,
  rebuildFromCopy,
} from './read-models';

const WORKERS = 32;
/**
 * Three products per round, 120 units each: 200 checkouts ask for about 450 units, so the
 * last units are fought over. The second round (after a restart) sells the other three.
 */
const SKUS = cards(6, 120);
const ROUNDS = [SKUS.slice(0, 3), SKUS.slice(3)];

let sandbox: Sandbox;
let servers: ServerProcess[] = [];
let envs: Record<string, string>[] = [];
let store: EventStore | undefined;
const dataDir = tempDir('busy');
const rebuildDirs = [tempDir('busy-rebuild'), tempDir('busy-rebuild')];

beforeAll(async () => {
  // Webhooks are delivered by the test, half to each process.
  sandbox = await startSandbox();
  const catalogFile = writeCatalog(dataDir, SKUS);
  const ports = [await freePort(), await freePort()];
  envs = ports.map((port) => serverEnv(sandbox, { port, dataDir, catalogFile }));
  // Started together, as replicas are: both sync the catalog into the same streams at once.
  servers = await Promise.all(envs.map((env) => startServerProcess(env)));
});
afterAll(async () => {
  await store?.close();
  for (const server of servers) await server.stop('SIGKILL');
  await sandbox?.close();
  for (const dir of [dataDir, ...rebuildDirs]) fs.rmSync(dir, { recursive: true, force: true });
});

const cartOf = (skus: CatalogEntry[], i: number) => [
  { sku: skus[i % 3]!.sku, quantity: 1 + (i % 3) },
  ...(i % 2 === 0 ? [{ sku: skus[(i + 1) % 3]!.sku, quantity: 1 }] : []),
];

function deliver(url: string, payload: string) {
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: sandbox.webhookSecret,
  });
  return fetch(`${url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  }).then(
    async (response) => ({ status: response.status, body: await response.text() }),
    (error: Error) => ({ status: 0, body: error.message }),
  );
}

/**
 * `count` checkouts on `skus`, alternating between the processes; each paid checkout's
 * webhook is delivered to both processes at once, so they race on the order stream.
 */
async function load(skus: CatalogEntry[], count: number) {
  const started = performance.now();
  const clients = servers.map((s) => clientFor(s.url));
  const checkoutStatuses: { status: number; message: string }[] = [];
  const webhookStatuses: { status: number; body: string }[] = [];
  const acknowledged: { orderId: string; sessionId: string }[] = [];

  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      let result: { orderId: string; checkoutUrl: string };
      try {
        result = await clients[i % 2]!.checkout.start.mutate({
          checkoutId: randomUUID(),
          items: cartOf(skus, i),
          email: `fan${i}@example.com`,
          returnUrl: RETURN_URL,
        });
        checkoutStatuses.push({ status: 200, message: '' });
      } catch (error) {
        const { data, message } = error as { data?: { httpStatus?: number }; message: string };
        checkoutStatuses.push({ status: data?.httpStatus ?? 0, message });
        continue;
      }
      const sessionId = sessionIdOf(result.checkoutUrl);
      acknowledged.push({ orderId: result.orderId, sessionId });
      await sandbox.pay(sessionId);
      const event = sandbox
        .events()
        .find((e) => e.type === 'checkout.session.completed' && e.data.object.id === sessionId)!;
      const payload = JSON.stringify(event, null, 2);
      // The same event to both processes at once: they race on the order stream.
      webhookStatuses.push(
        ...(await Promise.all(servers.map((server) => deliver(server.url, payload)))),
      );
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  return { checkoutStatuses, webhookStatuses, acknowledged, seconds };
}

describe('store busy: two server processes on one SQLite file', () => {
  it('200 checkouts and their webhooks split across both: no SQLITE_BUSY or 5xx, no oversell, nothing acknowledged lost', async () => {
    const { checkoutStatuses, webhookStatuses, acknowledged, seconds } = await load(
      ROUNDS[0]!,
      200,
    );
    const appends = await Promise.all(servers.map((s) => appendCounts(s.url)));
    const figures = {
      checkouts: tally(checkoutStatuses, (s) => String(s.status)),
      webhooks: tally(webhookStatuses, (s) => String(s.status)),
      appendsByProcess: appends,
      seconds,
    };
    console.log('store busy figures', JSON.stringify(figures));

    const failures = [...checkoutStatuses, ...webhookStatuses].filter(
      (s) => s.status === 0 || s.status >= 500,
    );
    expect(failures).toEqual([]);
    const busy = [...checkoutStatuses.map((s) => s.message), ...webhookStatuses.map((s) => s.body)];
    expect(busy.filter((text) => /SQLITE_BUSY|database is locked/i.test(text))).toEqual([]);
    // Refusals are the shopper's cart meeting sold-out stock, never the store's trouble.
    const otherRefusals = checkoutStatuses.filter(
      ({ status, message }) =>
        status !== 200 && !(status === 400 && /sold_out|insufficient_stock/.test(message)),
    );
    expect(otherRefusals).toEqual([]);
    expect(webhookStatuses.every((s) => s.status === 200)).toBe(true);
    for (const counts of appends) expect(counts.error ?? 0).toBe(0);

    store = await openStore(dataDir);
    const ledger = ledgerOf(await store.readAll());
    expect(ledger.oversold).toEqual([]);
    expect(ledger.strayReleases).toEqual([]);
    for (const { orderId, sessionId } of acknowledged) {
      expect(ledger.started.has(orderId), orderId).toBe(true);
      expect(ledger.payments.get(orderId), orderId).toBe(1);
      expect(ledger.paymentsBySession.get(sessionId), sessionId).toBe(1);
      for (const { sku, quantity } of ledger.carts.get(orderId)!) {
        expect(ledger.holds.get(sku)?.get(orderId), `${orderId} ${sku}`).toBe(quantity);
      }
    }
    expect(ledger.payments.size).toBe(acknowledged.length);
    expect(orphanHolds(ledger, () => false)).toEqual([]);
    for (const { sku, stock } of SKUS) expect(heldUnits(ledger, sku)).toBeLessThanOrEqual(stock);

    // Both processes see the same stock, and it is what the events say.
    const clients = servers.map((s) => clientFor(s.url));
    const listings = await Promise.all(clients.map((c) => c.catalog.list.query()));
    for (const listing of listings) {
      for (const { sku, stock } of SKUS) {
        expect(listing.find((p) => p.sku === sku)?.available, sku).toBe(
          stock - heldUnits(ledger, sku),
        );
      }
    }

    const logs = servers.map((s) => s.output()).join('\n');
    expect(logs).not.toMatch(/SQLITE_BUSY|database is locked/);
  }, 120_000);

  // Each process runs its own projection runner on the same DATA_DIR/readmodels.sqlite, so
  // both write the same rows; neither may give up (its analytics, hold cap and sweep read them).
  it('both processes keep projecting into the read models they share, and those equal a rebuild', async () => {
    await waitUntil(
      () => checkpointPosition(dataDir) >= headPosition(dataDir),
      'the read models to catch up',
    );
    const stopped = servers
      .map((s) => s.output())
      .join('\n')
      .split('\n')
      .filter((line) => line.includes('projection runner stopped'));
    expect.soft(stopped).toEqual([]);
    const live = readModelRows(readModelsOf(dataDir));
    const rebuilt = readModelRows(await rebuildFromCopy(dataDir, rebuildDirs[0]!));
    expect(diffRows(live, rebuilt)).toEqual({});
  });

  it('after both restart, another 100 checkouts leave the shared read models equal to a rebuild', async () => {
    for (const server of servers) await server.stop('SIGTERM');
    servers = await Promise.all(envs.map((env) => startServerProcess(env)));
    const round = await load(ROUNDS[1]!, 100);
    console.log(
      'store busy second round',
      JSON.stringify({
        checkouts: tally(round.checkoutStatuses, (s) => String(s.status)),
        webhooks: tally(round.webhookStatuses, (s) => String(s.status)),
        seconds: round.seconds,
      }),
    );
    expect(round.webhookStatuses.every((s) => s.status === 200)).toBe(true);
    await waitUntil(
      () => checkpointPosition(dataDir) >= headPosition(dataDir),
      'the read models to catch up',
    );
    const live = readModelRows(readModelsOf(dataDir));
    const rebuilt = readModelRows(await rebuildFromCopy(dataDir, rebuildDirs[1]!));
    expect(diffRows(live, rebuilt)).toEqual({});
  }, 120_000);
});
