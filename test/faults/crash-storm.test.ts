/**
 * Crash during a webhook storm: 500 checkouts are paid while the sandbox delivers every
 * webhook twice (and some again), and the server process is SIGKILLed three times and
 * restarted on the same port and data dir. Once the sandbox's retries are over, the
 * books must balance and the read models must equal a rebuild from the events.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox';
import { startSandbox } from '../../demo/sandbox';
import type { EventStore } from '../../server/eventstore/port';
import { clientFor } from '../support/app';
import { RETURN_URL, sessionIdOf } from '../support/orders';
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
import { ledgerOf, orphanHolds, unitsPaid, unitsSold } from './ledger';
import {
  checkpointPosition,
  diffRows,
  headPosition,
  readModelRows,
  readModelsOf,
  rebuildFromCopy,
} from './read-models';
import { RestartableServer } from './restartable-server';

const ORDERS = 500;
const WORKERS = 16;
/** Paid orders after which the server is SIGKILLed, so each crash lands mid-storm. */
const CRASH_AFTER = [100, 220, 340];
const SKUS = cards(4, 5_000);

let sandbox: Sandbox;
let server: RestartableServer;
let store: EventStore | undefined;
const dataDir = tempDir('storm');
const rebuildDir = tempDir('storm-rebuild');

beforeAll(async () => {
  const port = await freePort();
  // Retries double from 50 ms: twelve attempts span about 100 s, far longer than three restarts.
  sandbox = await startSandbox({
    retryInitialDelayMs: 50,
    maxAttempts: 12,
    webhookUrl: `http://127.0.0.1:${port}/webhooks/stripe`,
  });
  server = new RestartableServer(
    serverEnv(sandbox, { port, dataDir, catalogFile: writeCatalog(dataDir, SKUS) }),
  );
  await server.start();
  store = await openStore(dataDir);
});

afterAll(async () => {
  await store?.close();
  await server?.stop('SIGKILL');
  await sandbox?.close();
  for (const dir of [dataDir, rebuildDir]) fs.rmSync(dir, { recursive: true, force: true });
});

/** A TRPCClientError without `data` never got an HTTP answer: the process was down or died. */
const unanswered = (error: unknown) =>
  error instanceof Error && (error as { data?: unknown }).data === undefined;

/** Cart `i`: one or two lines, one to three units each, spread over every sku. */
const cartOf = (i: number) => [
  { sku: SKUS[i % SKUS.length]!.sku, quantity: 1 + (i % 3) },
  ...(i % 2 === 0 ? [{ sku: SKUS[(i + 1) % SKUS.length]!.sku, quantity: 1 }] : []),
];

describe('crash during a webhook storm', () => {
  it('500 paid checkouts, webhooks doubled and resent, three SIGKILLs: every payment once, books balance, rebuild equals live', async () => {
    const started = performance.now();
    const client = clientFor(server.url);
    sandbox.setDelivery({ duplicates: 2 });
    let paid = 0;
    let resent = 0;
    let checkoutRetries = 0;
    const refused: string[] = [];

    // Before each restart, every payment the dead process acknowledged must be in the store:
    // redeliveries would otherwise hide an answer given before the append was durable.
    const acknowledgedAtCrash: number[] = [];
    const lostAcknowledgements: string[] = [];
    const checkAcknowledged = async () => {
      const acknowledged = sandbox
        .deliveries()
        .filter((d) => d.status === 200 && d.type === 'checkout.session.completed');
      const orderOf = new Map(
        sandbox.events().map((e) => [e.id, e.data.object.client_reference_id]),
      );
      const { payments } = ledgerOf(await store!.readAll());
      acknowledgedAtCrash.push(acknowledged.length);
      for (const { eventId } of acknowledged) {
        if (!payments.has(orderOf.get(eventId)!)) lostAcknowledgements.push(eventId);
      }
    };
    const crashes = (async () => {
      for (const threshold of CRASH_AFTER) {
        await waitUntil(() => paid >= threshold, `${threshold} paid orders`, 90_000);
        await server.crashAndRestart(checkAcknowledged);
      }
    })();

    /** Starts checkout `i`, retrying with the same checkoutId while the server is down. */
    const startCheckout = async (i: number) => {
      const input = {
        checkoutId: randomUUID(),
        items: cartOf(i),
        email: `fan${i}@example.com`,
        returnUrl: RETURN_URL,
      };
      for (let attempt = 1; ; attempt++) {
        try {
          return await client.checkout.start.mutate(input);
        } catch (error) {
          if (!unanswered(error) || attempt >= 20) throw error;
          checkoutRetries += 1;
          await server.ready;
        }
      }
    };

    let next = 0;
    const worker = async () => {
      while (next < ORDERS) {
        const i = next++;
        try {
          const { checkoutUrl } = await startCheckout(i);
          const sessionId = sessionIdOf(checkoutUrl);
          const result = await sandbox.pay(sessionId);
          expect(result.redirectUrl).toBeDefined();
          paid += 1;
          if (i % 10 === 0) {
            // Stripe's own retries and manual resends carry the same event id.
            const event = sandbox
              .events()
              .find(
                (e) => e.type === 'checkout.session.completed' && e.data.object.id === sessionId,
              )!;
            sandbox.resend(event.id);
            resent += 1;
          }
        } catch (error) {
          refused.push(`order ${i}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all([...Array.from({ length: WORKERS }, worker), crashes]);
    await sandbox.idle();
    const stormSeconds = (performance.now() - started) / 1000;

    expect(refused).toEqual([]);
    expect(lostAcknowledgements).toEqual([]);
    expect(server.downtimesMs).toHaveLength(CRASH_AFTER.length);
    const paidSessions = sandbox.sessions().filter((s) => s.payment_status === 'paid');
    expect(paidSessions).toHaveLength(ORDERS);

    // The last server's projections must have caught up before they are compared.
    await waitUntil(
      () => checkpointPosition(dataDir) >= headPosition(dataDir),
      'the live read models to catch up',
    );
    const events = await store!.readAll();
    const ledger = ledgerOf(events);

    for (const session of paidSessions) {
      expect(ledger.paymentsBySession.get(session.id), `session ${session.id}`).toBe(1);
      expect(ledger.payments.get(session.client_reference_id!), `order of ${session.id}`).toBe(1);
    }
    expect([...ledger.payments.values()].filter((n) => n !== 1)).toEqual([]);
    expect(ledger.payments.size).toBe(ORDERS);
    expect(unitsSold(ledger)).toEqual(unitsPaid(ledger));
    expect(ledger.oversold).toEqual([]);
    expect(orphanHolds(ledger, () => false)).toEqual([]);

    const live = readModelRows(readModelsOf(dataDir));
    const rebuildStarted = performance.now();
    const rebuilt = readModelRows(await rebuildFromCopy(dataDir, rebuildDir));
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    expect(live.orders).toHaveLength(ORDERS);
    expect(diffRows(live, rebuilt)).toEqual({});

    const deliveries = sandbox.deliveries();
    // The storm did go on while the server was down: some deliveries found nobody listening.
    expect(deliveries.some((d) => d.status === null)).toBe(true);
    const figures = {
      orders: ORDERS,
      events: events.length,
      stripeEvents: sandbox.events().length,
      deliveries: deliveries.length,
      deliveryStatuses: tally(deliveries, (d) => String(d.status ?? d.error ?? 'none')),
      retriedDeliveries: deliveries.filter((d) => d.attempt > 1).length,
      maxAttempt: Math.max(...deliveries.map((d) => d.attempt)),
      resent,
      acknowledgedAtCrash,
      checkoutRetriesAcrossCrashes: checkoutRetries,
      downtimesMs: server.downtimesMs,
      stormSeconds: Number(stormSeconds.toFixed(1)),
      rebuildSeconds: Number(rebuildSeconds.toFixed(1)),
    };
    console.log('crash storm figures', JSON.stringify(figures));
  }, 150_000);
});
