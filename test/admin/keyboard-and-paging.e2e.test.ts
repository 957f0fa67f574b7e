/**
 * The analytics page for a keyboard user and through live updates, in Chromium: focus never
 * falls back to <body> after signing in or paging, the pager never shows a page past the
 * last one, and the token cannot be submitted before the page's script runs (the form would
 * put it in the URL).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipE2E } from '../e2e/support/browser';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app';
import { checkout } from '../support/orders';
import { ensureBuilt, openPage } from './support/page';

const skip = skipE2E();
let browser: Browser;
let t: TestApp;
/** Twelve open checkouts: two pages of ten. */
const sessions: string[] = [];
beforeAll(async () => {
  if (skip) return;
  ensureBuilt();
  browser = await launchChromium();
  t = await startTestApp();
  for (let i = 0; i < 12; i++)
    sessions.push(
      (await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }], `x${i}@example.com`)).sessionId,
    );
}, 60_000);
afterAll(async () => {
  await t?.close();
  await browser?.close();
});

const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    return active && active !== document.body
      ? `${active.tagName.toLowerCase()}#${active.id}`
      : 'body';
  });

async function signedIn(): Promise<Page> {
  const { page } = await openPage(browser, t.url);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.keyboard.press('Enter');
  await page.locator('#live-status', { hasText: 'Live' }).waitFor();
  return page;
}

describe.skipIf(skip)('the analytics page, keyboard and paging', () => {
  it('moves focus into the dashboard after signing in with Enter', async () => {
    const page = await signedIn();
    try {
      expect(await focused(page)).toBe('input#from');
    } finally {
      await page.context().close();
    }
  }, 30_000);

  it('keeps focus in the pager when "Older" reaches the last page and is disabled', async () => {
    const page = await signedIn();
    try {
      await page.locator('#next-page').focus();
      await page.keyboard.press('Enter');
      await page.locator('#page-info', { hasText: 'Page 2 of 2' }).waitFor();
      expect(await focused(page)).toBe('button#prev-page');
    } finally {
      await page.context().close();
    }
  }, 30_000);

  it('shows the last page there is when a live update shrinks the list under the page shown', async () => {
    const page = await signedIn();
    try {
      await page.locator('#status').selectOption('checkout_started');
      await page.locator('#page-info', { hasText: '12 orders' }).waitFor();
      await page.locator('#next-page').click();
      await page.locator('#page-info', { hasText: 'Page 2 of 2' }).waitFor();
      // Three shoppers pay: nine orders are still "Checkout started", one page of them.
      for (const session of sessions.slice(0, 3)) await t.sandbox.pay(session);
      await t.sandbox.idle();
      await page.locator('#page-info', { hasText: '9 orders' }).waitFor();
      const api = await t.admin.analytics.orders.query({ status: 'checkout_started' });
      expect(await page.locator('#page-info').textContent()).toBe('Page 1 of 1 · 9 orders');
      expect(await page.locator('#orders tbody tr').count()).toBe(api.orders.length);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('cannot submit the token before its script runs, so the token never reaches the URL', async () => {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      // A slow connection: the page's script is held until the test lets it through.
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      await page.route('**/admin/assets/*.js', async (route) => {
        await released;
        await route.continue();
      });
      // Module scripts hold DOMContentLoaded back: the HTML is read, the script not yet run.
      await page.goto(`${t.url}/admin/`, { waitUntil: 'commit' });
      const submit = page.getByRole('button', { name: 'Show analytics' });
      await submit.waitFor();
      expect(await submit.isDisabled()).toBe(true);
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.keyboard.press('Enter');
      expect(page.url()).toBe(`${t.url}/admin/`);
      release();
      await expect.poll(() => submit.isDisabled()).toBe(false);
      await page.keyboard.press('Enter');
      await page.locator('#live-status', { hasText: 'Live' }).waitFor();
      expect(page.url()).not.toContain(ADMIN_TOKEN);
    } finally {
      await context.close();
    }
  }, 30_000);
});
