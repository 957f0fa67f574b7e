/**
 * One shop selling in JPY, KWD and EUR, with a product name that is markup: every figure is
 * shown in its own currency with its own minor unit, and the name stays text.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../server/catalog/catalog-file';
import { skipE2E } from '../e2e/support/browser';
import { startTestApp, type TestApp } from '../support/app';
import { adminInChromium, paidOrder, signedIn, waitForText } from './support/page';

const skip = skipE2E();
const chromium = adminInChromium();
let t: TestApp;

const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const catalog: CatalogEntry[] = [
  {
    sku: 'TOKYO-1',
    name: XSS,
    description: '',
    image: '',
    unitAmount: 1500,
    currency: 'jpy',
    stock: 10,
  },
  {
    sku: 'KUWAIT-1',
    name: 'Kuwait 1982',
    description: '',
    image: '',
    unitAmount: 12340,
    currency: 'kwd',
    stock: 10,
  },
  {
    sku: 'ROMA-1',
    name: 'Roma 1990',
    description: '',
    image: '',
    unitAmount: 4500,
    currency: 'eur',
    stock: 10,
  },
];

beforeAll(async () => {
  if (skip) return;
  t = await startTestApp({ catalog });
  await paidOrder(t, [{ sku: 'TOKYO-1', quantity: 2 }], 'jp@example.com');
  await paidOrder(t, [{ sku: 'KUWAIT-1', quantity: 1 }], 'kw@example.com');
  await paidOrder(t, [{ sku: 'ROMA-1', quantity: 1 }], 'it@example.com');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe.skipIf(skip)('several currencies and hostile names', () => {
  it('shows each currency with its own minor unit, and names as text', async () => {
    let page: Page | undefined;
    try {
      page = await signedIn(chromium.browser, t.url);
      await waitForText(page, '#totals [data-currency="kwd"]', 'KWD');
      expect(await page.locator('#totals [data-currency="jpy"] dd').first().textContent()).toBe(
        '¥3,000',
      );
      expect(await page.locator('#totals [data-currency="kwd"] dd').first().textContent()).toBe(
        'KWD\u00a012.340',
      );
      expect(await page.locator('#totals [data-currency="eur"] dd').first().textContent()).toBe(
        '€45.00',
      );
      expect(await page.locator('#revenue figure').count()).toBe(3);
      expect(await page.locator('#products table', { hasText: XSS }).count()).toBe(1);
      expect(await page.locator('#orders td', { hasText: 'KWD\u00a012.340' }).count()).toBe(1);
      expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('#products img, #stock img, #orders img').count()).toBe(0);
    } finally {
      await page?.context().close();
    }
  }, 60_000);
});
