/**
 * The widget as the server hands it to pages: any origin may load it, and the source map it
 * names is served beside it (DevTools asks for it, and a 404 there looks like a broken install).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { ensureWidgetBuilt } from './build-widget';

let t: TestApp;
beforeAll(async () => {
  ensureWidgetBuilt();
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('serves the bundle to any origin, and the source map it names', async () => {
  const bundle = await fetch(`${t.url}/widget/stripe-cart.js`);
  expect(bundle.status).toBe(200);
  expect(bundle.headers.get('access-control-allow-origin')).toBe('*');
  const named = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await bundle.text())?.[1];
  expect(named).toBe('stripe-cart.js.map');

  const map = await fetch(new URL(named!, bundle.url));
  expect(map.status).toBe(200);
  expect(map.headers.get('content-type')).toMatch(/^application\/json/);
  const { sources } = (await map.json()) as { sources: string[] };
  expect(sources).toContainEqual(expect.stringMatching(/stripe-cart\.ts$/));
});
