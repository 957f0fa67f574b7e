/**
 * The analytics page in real Chromium against the real server, sandbox and read models:
 * sign in, read the figures, then watch a new payment arrive without reloading.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipE2E } from '../e2e/support/browser';
import { ADMIN_TOKEN, startTestApp } from '../support/app';
import { checkout } from '../support/orders';
import { ensureBuilt, openPage, paidOrder, signIn } from './support/page';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshots = path.join(root, 'test-results/admin');

const skip = skipE2E();

let browser: Browser;

beforeAll(async () => {
  if (skip) return;
  ensureBuilt();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const text = (page: Page, selector: string) => page.locator(selector).textContent();
/** A table row's cells, as a screen reader would read them out one by one. */
const cells = (page: Page, table: string, rowText: string) =>
  page.locator(`${table} tr`, { hasText: rowText }).first().locator('th, td').allTextContents();
const waitForText = (page: Page, selector: string, expected: string | RegExp) =>
  page.locator(selector).filter({ hasText: expected }).first().waitFor();

describe.skipIf(skip)('the analytics page in Chromium', () => {
  it('shows the figures after the token, then a new payment live, without reload', async () => {
    const t = await startTestApp();
    let opened: Page | undefined;
    try {
      await paidOrder(t, [{ sku: 'BAGGIO-1994', quantity: 2 }], 'first@example.com');
      await checkout(t, [{ sku: 'MALDINI-2003', quantity: 1 }], 'browsing@example.com');

      const { page, foreign } = await openPage(browser, t.url);
      opened = page;
      await signIn(page, 'not-the-token-at-all');
      await waitForText(page, '#token-error', 'UNAUTHORIZED');
      expect(await page.locator('#dashboard').isHidden()).toBe(true);

      await signIn(page, ADMIN_TOKEN);
      await page.locator('#dashboard').waitFor();
      await waitForText(page, '#live-status', 'Live');
      // One paid order so far: 2 × €45.00; the unpaid checkout counts in the funnel only.
      await waitForText(page, '#totals [data-currency="eur"]', '€90.00');
      // Revenue, paid orders, average order, units sold.
      expect(await page.locator('#totals [data-currency="eur"] dd').allTextContents()).toEqual([
        '€90.00',
        '1',
        '€90.00',
        '2',
      ]);
      expect(await text(page, '#funnel figcaption')).toBe('2 carts, 1 paid (50%)');
      await expect(page.locator('#revenue table').textContent()).resolves.toContain('€90.00');
      expect(await page.locator('#revenue svg rect.bar').count()).toBeGreaterThanOrEqual(7);
      expect(await cells(page, '#products table', 'Baggio')).toEqual([
        'Baggio 1994',
        '€90.00',
        '2',
        '1',
      ]);
      // Available, reserved, sold, on hand, note.
      expect(await cells(page, '#stock table', 'BAGGIO-1994')).toEqual([
        'Baggio 1994 (BAGGIO-1994)',
        '48',
        '0',
        '2',
        '50',
        '',
      ]);
      expect((await cells(page, '#stock table', 'MALDINI-2003')).slice(1)).toEqual([
        '0',
        '1',
        '0',
        '1',
        'Sold out',
      ]);
      expect(await page.locator('#orders tbody tr').count()).toBe(2);
      expect(await text(page, '#page-info')).toBe('Page 1 of 1 · 2 orders');

      // Marks this document: if the page reloaded, the mark would be gone.
      await page.evaluate(() => {
        document.body.dataset.sameDocument = 'yes';
      });
      const { orderId } = await paidOrder(
        t,
        [{ sku: 'PELE-1958', quantity: 1 }],
        'live@example.com',
      );
      await waitForText(page, '#totals [data-currency="eur"]', '€279.00');
      await page.locator(`#orders tr[data-order-id="${orderId}"]`, { hasText: 'Paid' }).waitFor();
      const newest = await page.locator('#orders tbody tr').first().locator('td').allTextContents();
      expect(newest.slice(2)).toEqual(['live@example.com', 'Paid', '1', '€189.00']);
      expect(await text(page, '#funnel figcaption')).toBe('3 carts, 2 paid (66.7%)');
      expect((await cells(page, '#stock table', 'PELE-1958')).slice(1)).toEqual([
        '2',
        '0',
        '1',
        '3',
        'Low stock',
      ]);
      expect(await page.evaluate(() => document.body.dataset.sameDocument)).toBe('yes');

      fs.mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: path.join(screenshots, 'dashboard.png'), fullPage: true });

      // On a phone the charts are redrawn to the new width rather than shrunk.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForFunction(
        () => Number(document.querySelector('#revenue svg')?.getAttribute('width')) < 390,
      );
      await page.screenshot({ path: path.join(screenshots, 'narrow.png'), fullPage: true });
      await page.setViewportSize({ width: 1200, height: 900 });

      // The status filter, by keyboard alone.
      await page.locator('#status').focus();
      await page.keyboard.press('ArrowDown');
      await waitForText(page, '#page-info', 'Page 1 of 1 · 2 orders');
      expect(await page.locator('#orders tbody tr', { hasText: 'Checkout started' }).count()).toBe(
        0,
      );

      // A date range before any sale, typed into the date fields, empties the charts but not the stock.
      await page.locator('#from').focus();
      await page.keyboard.type('01012001');
      await page.locator('#to').focus();
      await page.keyboard.type('01312001');
      expect(await page.locator('#from').inputValue()).toBe('2001-01-01');
      expect(await page.locator('#to').inputValue()).toBe('2001-01-31');
      await waitForText(page, '#revenue', 'No paid orders in this range yet.');
      await waitForText(page, '#orders', 'No orders match.');
      expect(await page.locator('#stock table tbody tr').count()).toBe(3);

      // The token is kept for the tab, the filters in the URL: a reload goes straight to the
      // figures of the same range.
      await page.reload();
      await waitForText(page, '#orders', 'No orders match.');
      expect(await page.locator('#sign-in').isHidden()).toBe(true);
      expect(await page.locator('#from').inputValue()).toBe('2001-01-01');
      await page.getByRole('button', { name: 'All time' }).click();
      await waitForText(page, '#totals [data-currency="eur"]', '€279.00');
      await page.screenshot({ path: path.join(screenshots, 'after-reload.png'), fullPage: true });

      expect(foreign).toEqual([]);
    } finally {
      // The page's live connection must go first, or the server waits on it to close.
      await opened?.context().close();
      await t.close();
    }
  }, 90_000);

  it('says analytics are off when the server has no ADMIN_TOKEN', async () => {
    const t = await startTestApp({ env: { ADMIN_TOKEN: undefined } });
    let opened: Page | undefined;
    try {
      const { page } = await openPage(browser, t.url);
      opened = page;
      await signIn(page, 'any-token-at-all-here');
      await waitForText(page, '#token-error', 'Analytics are off: set ADMIN_TOKEN');
      fs.mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: path.join(screenshots, 'analytics-off.png') });
    } finally {
      await opened?.context().close();
      await t.close();
    }
  }, 60_000);
});
