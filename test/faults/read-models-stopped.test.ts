/**
 * A malformed stored event stops the projection runner (by design: nothing is skipped
 * silently), which leaves the read models, the sweep and the hold caps on old figures.
 * /healthz says so, so monitoring sees it; the cause goes to the log only. So it does when
 * the event store can no longer append in this process.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { orderStream } from '../../server/domain/events';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const healthz = async () => {
  const response = await fetch(`${t.url}/healthz`);
  return { status: response.status, body: await response.json() };
};

it('answers 503 while the event store can append no more (its writer thread stopped)', async () => {
  expect(await healthz()).toEqual({ status: 200, body: { ok: true } });
  const { store } = t.app.services;
  const failure = store.failure;
  // As SqliteEventStore reports it once its writer thread has exited (test/eventstore/sqlite.test.ts).
  store.failure = () => new Error("The event store's writer thread exited (code 1)");
  try {
    expect(await healthz()).toEqual({
      status: 503,
      body: {
        ok: false,
        problem:
          'the event store cannot append (its writer thread stopped): restart the server; see the log',
      },
    });
  } finally {
    store.failure = failure;
  }
  expect(await healthz()).toEqual({ status: 200, body: { ok: true } });
});

it('answers 503 once the read models have stopped on a malformed event', async () => {
  expect(await healthz()).toEqual({ status: 200, body: { ok: true } });
  const orderId = randomUUID();
  // Written past the command handler's checks, as a bug or a hand edit of the store would.
  await t.app.services.store.append(
    orderStream(orderId),
    [
      {
        id: randomUUID(),
        type: 'CartValidated',
        data: { orderId, total: -1 },
        metadata: { correlationId: orderId, causationId: 'test' },
      },
    ],
    { expectedRevision: 'no_stream' },
  );
  await expect.poll(healthz).toEqual({
    status: 503,
    body: { ok: false, problem: 'the read models stopped: see the log' },
  });
  expect(t.app.services.readModels.failure()).toMatchObject({
    message: expect.stringMatching(/CartValidated in order-.* does not match its schema/),
  });
});
