/**
 * The bar charts on a phone: a product name too long for one line is shown whole (no hover
 * there to open a title), and at 320 px every name and figure stays inside its card.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../server/catalog/catalog-file';
import { skipE2E } from '../e2e/support/browser';
import { startTestApp, type TestApp, testCatalog } from '../support/app';
import { checkout } from '../support/orders';
import { adminInChromium, longNamed, paidOrder, signedIn, waitForText } from './support/page';

const skip = skipE2E();
const chromium = adminInChromium();
let t: TestApp;

const catalog: CatalogEntry[] = [
  ...testCatalog,
  longNamed,
  {
    sku: 'WAREHOUSE-1',
    name: 'Warehouse replica',
    description: '',
    image: '',
    unitAmount: 1000,
    currency: 'eur',
    stock: 1_000_000,
  },
];

beforeAll(async () => {
  if (skip) return;
  t = await startTestApp({ catalog });
  await paidOrder(t, [{ sku: 'MARADONA-1986', quantity: 1 }], 'first@example.com');
  // Pelé down to 2 (low stock), and a reservation on a product with six-digit figures.
  await paidOrder(t, [{ sku: 'PELE-1958', quantity: 1 }], 'second@example.com');
  await paidOrder(t, [{ sku: 'WAREHOUSE-1', quantity: 12 }], 'third@example.com');
  await checkout(t, [{ sku: 'WAREHOUSE-1', quantity: 10 }], 'browsing@example.com');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

interface TextBox {
  text: string;
  left: number;
  right: number;
  width: number;
}

/**
 * Every piece of text drawn in `section` for the eye (not the tables only screen readers
 * get, nor hover titles), with where it is on screen.
 */
const drawnTexts = (page: Page, section: string) =>
  page.locator(section).evaluate((root): TextBox[] => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const boxes: TextBox[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement!;
      if (!node.textContent?.trim() || parent.closest('.visually-hidden, title')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      boxes.push({ text: node.textContent, left: box.left, right: box.right, width: box.width });
    }
    return boxes;
  });

const cardBox = (page: Page, section: string) =>
  page.locator(section).evaluate((element) => {
    const box = element.closest('.card')!.getBoundingClientRect();
    return { left: box.left, right: box.right };
  });

const onPhone = (width: number) => ({
  viewport: { width, height: 800 },
  hasTouch: true,
  isMobile: true,
});

describe.skipIf(skip)('bar charts on narrow touch screens', () => {
  it('shows a long product name whole, as text, in the products and stock charts', async () => {
    const page = await signedIn(chromium.browser, t.url, onPhone(390));
    try {
      await waitForText(page, '#products figure', 'Maradona');
      for (const section of ['#products', '#stock']) {
        const texts = (await drawnTexts(page, section)).map((box) => box.text);
        expect(
          texts.join(' ').replace(/\s+/g, ' '),
          `${section}: the name is cut, whole only in a hover title and the hidden table`,
        ).toContain(longNamed.name);
      }
      // Stock is counted by SKU in the warehouse: shown beside the name, no hover needed.
      expect((await drawnTexts(page, '#stock')).map((box) => box.text)).toContain(
        `${longNamed.name} (${longNamed.sku})`,
      );
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('at 320 px keeps every name and figure of the bar charts inside its card', async () => {
    const page = await signedIn(chromium.browser, t.url, onPhone(320));
    try {
      await waitForText(page, '#stock figure', 'Low stock');
      for (const section of ['#stock', '#products', '#funnel']) {
        const card = await cardBox(page, section);
        const outside = (await drawnTexts(page, section)).filter(
          (box) => box.left < card.left || box.right > card.right,
        );
        expect(outside, `${section}: text past the card (${card.left}–${card.right})`).toEqual([]);
      }
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth),
        'the page scrolls sideways',
      ).toBeLessThanOrEqual(320);
      // The figures are still there to read, not shrunk away.
      const stock = (await drawnTexts(page, '#stock')).map((box) => box.text).join(' ');
      expect(stock).toMatch(/999,?978\s+available/);
      expect(stock).toMatch(/10\s+reserved/);
    } finally {
      await page.context().close();
    }
  }, 60_000);
});
