/**
 * The token form as owners really use it: a token pasted from a chat or a document (with a
 * typographic quote or a zero-width space in it) is a wrong token, not a server that is down;
 * and after signing out and in again, the status dot does not say live before it is.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipE2E } from '../e2e/support/browser';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app';
import { adminInChromium, openPage, signedIn, waitForText } from './support/page';

const skip = skipE2E();
const chromium = adminInChromium();
let t: TestApp;

beforeAll(async () => {
  if (skip) return;
  t = await startTestApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe.skipIf(skip)('the token form', () => {
  for (const [what, pasted] of [
    ['a typographic apostrophe', `${ADMIN_TOKEN}’`],
    ['a zero-width space', `${ADMIN_TOKEN}\u200b`],
  ] as const) {
    it(`a token pasted with ${what} is said to be refused, not the server unreachable`, async () => {
      let page: Page | undefined;
      try {
        page = await (await openPage(chromium.browser, t.url)).page;
        // The server is up and answers.
        expect((await fetch(`${t.url}/healthz`)).ok).toBe(true);
        await page.getByLabel('Admin token').fill(pasted);
        await page.getByRole('button', { name: 'Show analytics' }).click();
        await page.locator('#token-error').filter({ hasText: /\S/ }).waitFor();
        expect(await page.locator('#token-error').textContent()).not.toContain('cannot be reached');
      } finally {
        await page?.context().close();
      }
    }, 30_000);
  }

  it("signed out within the email filter's beat: no load goes out with the forgotten token", async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      await page.clock.install();
      const loads: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/trpc/analytics.')) loads.push(request.url());
      });
      // Typing starts the 300 ms beat before the filter applies; Sign out comes within it.
      await page.locator('#email').fill('first');
      await page.getByRole('button', { name: 'Sign out' }).click();
      const before = loads.length;
      await page.clock.runFor(1_000);
      // A marker request after the beat: whatever the page sent before it was seen first.
      const marker = page.waitForRequest((request) => request.url().includes('/healthz?after'));
      await page.evaluate(() => fetch('/healthz?after'));
      await marker;
      expect(loads.slice(before)).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 30_000);

  it('after signing out and in again, the dot is not green while it still says "Connecting…"', async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      await page.getByRole('button', { name: 'Sign out' }).click();
      // Live updates that take their time to connect (a slow or buffering proxy).
      await page.route('**/trpc/analytics.watch**', () => {});
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Show analytics' }).click();
      await waitForText(page, '#live-status', 'Connecting…');
      expect(await page.locator('#live-status').getAttribute('data-state')).not.toBe('live');
    } finally {
      await page.context().close();
    }
  }, 30_000);
});
