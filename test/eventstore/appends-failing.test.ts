/**
 * A full disk, a read-only or vanished file: appends fail for the store's own reason, which
 * no retry by a shopper mends. The instrumented store says so through failure() while they
 * do, and /healthz answers 503 with the code, until an append succeeds again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppendsFailingError, instrumented } from '../../server/eventstore/instrumented';
import type { EventStore } from '../../server/eventstore/port';
import { WrongExpectedVersionError } from '../../server/eventstore/port';
import { createMetrics } from '../../server/metrics';
import { startTestApp, type TestApp } from '../support/app';
import { newEvent } from './helpers';
import { sqliteHarness } from './sqlite-harness';

describe('the instrumented store', () => {
  const harness = sqliteHarness();
  let adapter: EventStore;
  beforeAll(async () => {
    adapter = await harness.open();
  });
  afterAll(async () => {
    await adapter.close();
    harness.remove();
  });

  it('fails while appends fail with SQLITE_FULL, and recovers with the next append that succeeds', async () => {
    let next: Error | undefined;
    const flaky: EventStore = Object.assign(Object.create(adapter), {
      append: (...args: Parameters<EventStore['append']>) =>
        next ? Promise.reject(next) : adapter.append(...args),
    });
    const store = instrumented(flaky, createMetrics());
    const append = () =>
      store.append('appends-failing-1', [newEvent()], { expectedRevision: 'any' });

    next = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    await expect(append()).rejects.toThrow('database or disk is full');
    expect(store.failure?.()).toEqual(new AppendsFailingError('SQLITE_FULL'));

    next = undefined;
    await append();
    expect(store.failure?.()).toBeUndefined();

    // A conflict is the caller's to handle, not the store failing.
    next = new WrongExpectedVersionError('appends-failing-1', 0n, 5n);
    await expect(append()).rejects.toThrow(WrongExpectedVersionError);
    expect(store.failure?.()).toBeUndefined();
  });
});

describe('/healthz', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 with the code while appends fail for the store, and ok once they succeed', async () => {
    const { store } = t.app.services;
    const failure = store.failure;
    store.failure = () => new AppendsFailingError('SQLITE_FULL');
    try {
      const response = await fetch(`${t.url}/healthz`);
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 503,
        body: { ok: false, problem: 'the event store refuses appends (SQLITE_FULL): see the log' },
      });
    } finally {
      store.failure = failure;
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
