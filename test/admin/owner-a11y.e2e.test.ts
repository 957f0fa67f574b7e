/**
 * The analytics page for touch, keyboard and screen-reader users: the whole order id is text
 * to read and copy, not a hover title; a live update that changes nothing in a table
 * leaves that table alone, so a screen reader's place in it is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../server/catalog/catalog-file';
import { skipE2E } from '../e2e/support/browser';
import { ADMIN_TOKEN, startTestApp, type TestApp, testCatalog } from '../support/app';
import { checkout } from '../support/orders';
import { adminInChromium, longNamed, paidOrder, signedIn, waitForText } from './support/page';

const skip = skipE2E();
const chromium = adminInChromium();
let t: TestApp;

const catalog: CatalogEntry[] = [...testCatalog, longNamed];

beforeAll(async () => {
  if (skip) return;
  t = await startTestApp({ catalog });
  await paidOrder(t, [{ sku: 'MARADONA-1986', quantity: 1 }], 'first@example.com');
  await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }], 'browsing@example.com');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe.skipIf(skip)('analytics page, keyboard and screen reader', () => {
  it('on a phone (no hover), the full order id, needed for admin.settleShortfall, can be read', async () => {
    const page = await signedIn(chromium.browser, t.url, {
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    try {
      await waitForText(page, '#page-info', 'orders');
      const row = page.locator('#orders tbody tr').first();
      const orderId = await row.getAttribute('data-order-id');
      // What is rendered as text (and so can be read, selected and copied), not a hover title.
      // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, not a title attribute
      const text = await row.evaluate((tr) => (tr as HTMLElement).innerText);
      expect(
        text,
        'only the first 8 characters are shown; the rest is in a title tooltip',
      ).toContain(orderId);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('a live update that changes no order leaves the orders table (and the reader in it) alone', async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      await waitForText(page, '#page-info', '2 orders');
      await page.evaluate(() => {
        (document.querySelector('#orders table') as HTMLElement).dataset.marker = 'before';
      });
      // Only the stock changes: a restock of five Baggio shirts.
      await t.admin.admin.adjustStock.mutate({
        sku: 'BAGGIO-1994',
        delta: 5,
        reason: 'restock',
      });
      await page
        .locator('#stock table tr', { hasText: 'BAGGIO-1994' })
        .filter({ hasText: '54' })
        .waitFor();
      const api = await t.admin.analytics.orders.query({ page: 1, pageSize: 10 });
      expect(await page.locator('#orders tbody tr').count()).toBe(api.orders.length);
      expect(
        await page.evaluate(
          () => (document.querySelector('#orders table') as HTMLElement).dataset.marker ?? null,
        ),
        'the unchanged orders table was thrown away and rebuilt by the tick',
      ).toBe('before');
    } finally {
      await page.context().close();
    }
  }, 60_000);
});

describe.skipIf(skip)('signing in again with filters set', () => {
  it('shows figures for the filters the controls show, even before live updates connect', async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      await page.locator('#status').selectOption('paid');
      await waitForText(page, '#page-info', '· 1 order');
      await page.getByRole('button', { name: 'Sign out' }).click();
      // A proxy that holds SSE back (buffering), or a stream that has not connected yet.
      await page.route('**/trpc/analytics.watch**', () => {});
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Show analytics' }).click();
      await page.locator('#dashboard').waitFor();
      await page.locator('#page-info', { hasText: 'Page' }).waitFor();
      const api = await t.admin.analytics.orders.query({ status: 'paid', pageSize: 10 });
      expect(await page.locator('#status').inputValue()).toBe('paid');
      expect(
        {
          info: await page.locator('#page-info').textContent(),
          statuses: await page.locator('#orders tbody td:nth-child(4)').allTextContents(),
        },
        'the first snapshot after signing in ignores the filters still set in the controls',
      ).toEqual({ info: `Page 1 of 1 · ${api.total} order`, statuses: ['Paid'] });
    } finally {
      await page.context().close();
    }
  }, 60_000);
});
