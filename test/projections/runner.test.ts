import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrderView } from '../../projections/queries';
import { type ProjectionRunner, startProjectionRunner } from '../../projections/runner';
import { dropReadModels, openReadModelDb } from '../../projections/schema';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { cartValidated, checkoutStarted, paymentCompleted } from './builders';
import { dumpReadModels } from './dump';
import { generateHistory } from './history';

const dir = mkdtempSync(join(tmpdir(), 'projections-runner-'));
const storePath = join(dir, 'events.sqlite');
let store: SqliteEventStore;
let totalEvents = 0;

async function rebuild(dbPath: string): Promise<void> {
  const runner = await startProjectionRunner({ store, dbPath, batchSize: 1_000 });
  await runner.caughtUp;
  await runner.close();
}

function checkpointEvents(dbPath: string): number {
  const db = openReadModelDb(dbPath);
  try {
    return (db.prepare('SELECT events FROM checkpoint').pluck().get() as number | undefined) ?? 0;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  store = SqliteEventStore.open(storePath, { synchronous: 'NORMAL' });
  totalEvents = (await generateHistory(store, { orders: 3_000, seed: 7 })).events;
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('projection runner', () => {
  it('rebuilds to identical read models every time', async () => {
    const path = join(dir, 'twice.sqlite');
    await rebuild(path);
    const first = dumpReadModels(path);
    const db = openReadModelDb(path);
    dropReadModels(db);
    db.close();
    await rebuild(path);
    expect(dumpReadModels(path)).toEqual(first);
    expect(first.orders).toHaveLength(3_000);
    expect(checkpointEvents(path)).toBe(totalEvents);
  });

  it('resumes after being killed mid-batch with the same read models as a clean rebuild', async () => {
    const killed = join(dir, 'killed.sqlite');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'runner-child.ts'), storePath, killed, '700'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let batches = 0;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      batches += chunk.split('\n').filter((line) => line.startsWith('progress')).length;
      if (batches >= 5) child.kill('SIGKILL');
    });
    expect(await exited).toBe('SIGKILL');
    const committedBeforeKill = checkpointEvents(killed);
    expect(committedBeforeKill).toBeGreaterThan(0);
    expect(committedBeforeKill).toBeLessThan(totalEvents);
    expect(committedBeforeKill % 700).toBe(0);

    await rebuild(killed);
    const clean = join(dir, 'clean.sqlite');
    await rebuild(clean);
    expect(dumpReadModels(killed)).toEqual(dumpReadModels(clean));
  });

  it('goes live: a new event reaches the read model and the change is announced', async () => {
    const live = join(dir, 'live.sqlite');
    const runner: ProjectionRunner = await startProjectionRunner({ store, dbPath: live });
    try {
      await runner.caughtUp;
      const orderId = '00000000-0000-4000-8000-00000000a11e';
      const changes: { orderIds: string[] }[] = [];
      const seen = new Promise<void>((resolve) =>
        runner.onChange((change) => {
          changes.push(change);
          if (getOrderView(runner.db, orderId)?.status === 'paid') resolve();
        }),
      );
      const cart = cartValidated([{ sku: 'sku-000', quantity: 1 }], orderId, '9T10:00:00');
      const stream = `order-${orderId}`;
      await store.append(stream, [{ id: crypto.randomUUID(), ...cart }], {
        expectedRevision: 'no_stream',
      });
      await store.append(
        stream,
        [{ id: crypto.randomUUID(), ...checkoutStarted(1500, orderId, '9T10:00:01') }],
        {
          expectedRevision: 0n,
        },
      );
      await store.append(
        stream,
        [{ id: crypto.randomUUID(), ...paymentCompleted(1500, orderId, '9T10:01:00') }],
        {
          expectedRevision: 1n,
        },
      );
      await seen;
      expect(changes.some((change) => change.orderIds.includes(orderId))).toBe(true);
      expect(getOrderView(runner.db, orderId)).toMatchObject({
        status: 'paid',
        total: 1500,
        paymentIntentId: 'pi_123',
      });
    } finally {
      await runner.close();
    }
  });

  it('shares one read-model file between two runners without applying an event twice', async () => {
    const shared = join(dir, 'shared.sqlite');
    const errors: unknown[] = [];
    const start = () =>
      startProjectionRunner({
        store,
        dbPath: shared,
        batchSize: 500,
        onError: (e) => errors.push(e),
      });
    const [a, b] = await Promise.all([start(), start()]);
    try {
      await Promise.all([a.caughtUp, b.caughtUp]);
      const orderId = '00000000-0000-4000-8000-00000000b0b0';
      const heardBy = (runner: ProjectionRunner) =>
        new Promise<void>((resolve) =>
          runner.onChange((change) => {
            if (change.orderIds.includes(orderId)) resolve();
          }),
        );
      const heard = Promise.all([heardBy(a), heardBy(b)]);
      const cart = cartValidated([{ sku: 'sku-001', quantity: 2 }], orderId, '9T11:00:00');
      await store.append(`order-${orderId}`, [{ id: crypto.randomUUID(), ...cart }], {
        expectedRevision: 'no_stream',
      });
      await heard;
    } finally {
      await a.close();
      await b.close();
    }
    expect(errors).toEqual([]);
    const clean = join(dir, 'shared-clean.sqlite');
    await rebuild(clean);
    expect(dumpReadModels(shared)).toEqual(dumpReadModels(clean));
  });
});
