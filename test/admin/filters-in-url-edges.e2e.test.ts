/** The analytics page's edges: odd filters in the URL fragment, links opened mid sign-in, names without spaces at 320 px. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../server/catalog/catalog-file';
import { skipE2E } from '../e2e/support/browser';
import { ADMIN_TOKEN, startTestApp, type TestApp, testCatalog } from '../support/app';
import {
  adminInChromium,
  filterControls as controls,
  openPage,
  paidOrder,
  signedIn,
  signIn,
  waitForText,
} from './support/page';

const skip = skipE2E();
const chromium = adminInChromium();
let t: TestApp;

const skuLike: CatalogEntry = {
  sku: 'SKULIKE-1',
  name: `SKU-${'X9'.repeat(28)}`, // 60 characters, no space
  description: '',
  image: '',
  unitAmount: 1000,
  currency: 'eur',
  stock: 5,
};
const odd = 'o+d@example.com';

beforeAll(async () => {
  if (skip) return;
  t = await startTestApp({ catalog: [...testCatalog, skuLike] });
  await paidOrder(t, [{ sku: 'SKULIKE-1', quantity: 1 }], odd);
  await paidOrder(t, [{ sku: 'BAGGIO-1994', quantity: 1 }], 'first@example.com');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe.skipIf(skip)('the analytics page: URL filters and bar rows, at their edges', () => {
  it('a 60-character name without spaces stays inside its card at 320 px', async () => {
    const page = await signedIn(chromium.browser, t.url, {
      viewport: { width: 320, height: 800 },
      hasTouch: true,
      isMobile: true,
    });
    try {
      await waitForText(page, '#stock figure', 'SKU-X9');
      for (const section of ['#stock', '#products']) {
        const overflow = await page.locator(section).evaluate((root) => {
          const card = root.closest('.card')!.getBoundingClientRect();
          return [...root.querySelectorAll('.bar-label, .bar-figure, .bar-track')]
            .map((el) => ({ text: el.textContent, box: el.getBoundingClientRect() }))
            .filter(({ box }) => box.left < card.left - 0.5 || box.right > card.right + 0.5)
            .map(
              ({ text, box }) =>
                `${text}: ${box.left}-${box.right} (card ${card.left}-${card.right})`,
            );
        });
        expect(overflow, section).toEqual([]);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        320,
      );
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('an email with + & = # and ü survives the URL and a reload', async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      await page.locator('#email').fill(odd);
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      await page.waitForFunction(() => location.hash.includes('email'));
      await page.reload();
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      expect((await controls(page)).email).toBe(odd);
      const weird = ' #ü=%20&x ';
      await page.locator('#email').fill(weird);
      await page.waitForFunction(() => location.hash.includes('%C3%BC'));
      await page.reload();
      await page.locator('#live-status', { hasText: /^Live$/ }).waitFor();
      expect((await controls(page)).email).toBe(weird.trim());
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('Back and Forward between two pasted links apply each one', async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      await waitForText(page, '#page-info', 'Page 1 of 1 · 2 orders');
      await page.goto(`${t.url}/admin/#email=first&range=30`);
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      await page.goto(`${t.url}/admin/#status=expired`);
      await waitForText(page, '#page-info', /No orders|0 orders/);
      await page.goBack();
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      expect((await controls(page)).pressed).toEqual(['Last 30 days']);
      expect((await controls(page)).email).toBe('first');
      await page.goForward();
      await page.waitForFunction(
        () => (document.getElementById('status') as HTMLSelectElement).value === 'expired',
      );
      expect(await controls(page)).toMatchObject({ status: 'expired', email: '', pressed: [] });
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('sign out, paste another link, sign in: the new link’s filters apply', async () => {
    const { page } = await openPage(chromium.browser, t.url, {}, '/admin/#range=7&email=first');
    try {
      await signIn(page, ADMIN_TOKEN);
      await page.locator('#live-status', { hasText: /^Live$/ }).waitFor();
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(`${t.url}/admin/#status=paid`);
      await signIn(page, ADMIN_TOKEN);
      await page.locator('#live-status', { hasText: /^Live$/ }).waitFor();
      await waitForText(page, '#page-info', 'Page 1 of 1 · 2 orders');
      expect(await controls(page)).toEqual({
        from: '',
        to: '',
        pressed: [],
        status: 'paid',
        email: '',
      });
      expect(new URL(page.url()).hash).toBe('#status=paid');
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('a link pasted while signing in is applied, not left in the URL unshown', async () => {
    const { page } = await openPage(chromium.browser, t.url);
    try {
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let held = false;
      let arrived!: () => void;
      const holding = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      await page.route(/\/trpc\/analytics\.sales/, async (route) => {
        if (!held) {
          held = true;
          arrived();
          await released;
        }
        await route.continue();
      });
      await signIn(page, ADMIN_TOKEN);
      await holding; // the sign-in's first load is on its way
      await page.evaluate(() => {
        location.hash = '#email=first';
      });
      release();
      await page.locator('#live-status', { hasText: /^Live$/ }).waitFor();
      expect(new URL(page.url()).hash).toBe('#email=first');
      // The page shows what its URL names: the one order of that email.
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      expect((await controls(page)).email).toBe('first');
    } finally {
      await page.context().close();
    }
  }, 60_000);
});
