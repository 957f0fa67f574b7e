/**
 * `GET /metrics` tells tRPC procedures apart (a slow checkout.start is not hidden among
 * catalog reads), with labels from the server's own list, never from the caller's text; and
 * says what /healthz says, for alerting.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from './support/app';
import { startTestApp } from './support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('labels HTTP requests with the procedure called: a known name, batch or unknown', async () => {
  await t.client.catalog.list.query();
  await fetch(`${t.url}/trpc/no.such.procedure_made_up`);
  await fetch(`${t.url}/trpc/catalog.list,catalog.list?batch=1&input={}`);
  await fetch(`${t.url}/healthz`);
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const counted = (procedure: string) =>
    new RegExp(
      `^stripe_cart_http_request_duration_seconds_count\\{method="GET",route="/trpc/:path",procedure="${procedure}",status="\\d+"\\} [1-9]`,
      'm',
    );
  expect(text).toMatch(counted('catalog\\.list'));
  expect(text).toMatch(counted('unknown'));
  expect(text).toMatch(counted('batch'));
  expect(text).not.toContain('made_up');
  expect(text).toMatch(/route="\/healthz",procedure="",status="200"\} 1$/m);
});

it('says in stripe_cart_healthy what /healthz says, for alerting: 1 when ok, 0 while it answers 503', async () => {
  const healthy = async () =>
    (await (await fetch(`${t.url}/metrics`)).text()).match(/^stripe_cart_healthy (\d)$/m)?.[1];
  expect(await healthy()).toBe('1');
  const { readModels } = t.app.services;
  const failure = readModels.failure;
  readModels.failure = () => new Error('stopped on a malformed event');
  try {
    expect(await healthy()).toBe('0');
    expect((await fetch(`${t.url}/healthz`)).status).toBe(503);
  } finally {
    readModels.failure = failure;
  }
  expect(await healthy()).toBe('1');
});
