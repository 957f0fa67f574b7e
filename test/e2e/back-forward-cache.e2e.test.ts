/**
 * Back from Stripe's page with the back/forward cache on, as in every shopper's Chrome
 * (Playwright turns it off with --disable-back-forward-cache; this suite launches without
 * that flag): the page comes back as it was left, and must still work.
 */
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, skipE2E } from './support/browser';
import { cartDialog, expectCount } from './support/cart';
import type { Shop } from './support/shop';
import { startShop } from './support/shop';

describe.skipIf(skipE2E())(
  'Back from Stripe, with the back/forward cache on',
  { timeout: 60_000 },
  () => {
    let shop: Shop;
    let browser: Browser;
    beforeAll(async () => {
      shop = await startShop();
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        ignoreDefaultArgs: ['--disable-back-forward-cache'],
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.close();
    });

    /** A shopper fills the cart, goes to Stripe's page to pay, and presses Back. */
    async function toStripeAndBack() {
      const context = await browser.newContext({ reducedMotion: 'reduce', locale: 'en-GB' });
      const page = await context.newPage();
      await page.goto(`${shop.url}/`);
      await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
      await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
      await expectCount(page, 1);
      // Survives only if the browser restores the page as it was left (the back/forward cache).
      await page.evaluate(() => {
        (window as unknown as { marker: number }).marker = 42;
      });
      await page.evaluate(() => document.querySelector('stripe-cart')!.open());
      await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
      await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
      await page.waitForURL(`${shop.test.sandbox.url}/**`);
      await page.goBack({ waitUntil: 'commit' });
      await expect.poll(() => page.url()).toContain(shop.url);
      return { context, page };
    }

    test("a shopper who presses Back on Stripe's page can press Pay again", async () => {
      const { context, page } = await toStripeAndBack();
      const restored = await page.evaluate(
        () => (window as unknown as { marker?: number }).marker === 42,
      );
      expect(restored).toBe(true); // the scenario needs it: the page came back as it was left
      await page.evaluate(() => document.querySelector('stripe-cart')!.open());
      const pay = cartDialog(page).locator('[part="checkout"]');
      await expect.poll(() => pay.textContent()).toBe('Pay with card');
      expect(await pay.getAttribute('aria-disabled')).toBe('false');
      await context.close();
    });

    test('with storage forbidden (a sandboxed frame), Pay again after Back opens the same Stripe page', async () => {
      const context = await browser.newContext({ reducedMotion: 'reduce', locale: 'en-GB' });
      await context.addInitScript(() => {
        Object.defineProperty(window, 'localStorage', {
          get() {
            throw new DOMException('The document is sandboxed', 'SecurityError');
          },
        });
      });
      const page = await context.newPage();
      await page.goto(`${shop.url}/`);
      await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
      await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
      await expectCount(page, 1);
      const pay = async () => {
        await page.evaluate(() => document.querySelector('stripe-cart')!.open());
        await cartDialog(page).getByLabel('Email for the receipt').fill('no-storage@example.com');
        await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
        await page.waitForURL(`${shop.test.sandbox.url}/**`);
        return page.url();
      };
      const first = await pay();
      await page.goBack({ waitUntil: 'commit' });
      await expect.poll(() => page.url()).toContain(shop.url);
      await expectCount(page, 1);
      expect(await pay()).toBe(first);
      const sessions = shop.test.sandbox
        .sessions()
        .filter((s) => s.customer_email === 'no-storage@example.com');
      expect(sessions).toHaveLength(1);
      await context.close();
    });

    test('after Back from Stripe, live stock still reaches the page', async () => {
      const { context, page } = await toStripeAndBack();
      const products = await shop.test.client.catalog.list.query();
      const zidane = products.find((p) => p.sku === 'ZIDANE-1998')!;
      await shop.test.admin.admin.adjustStock.mutate({
        sku: 'ZIDANE-1998',
        delta: -(zidane.available - 2),
        reason: 'back-forward cache test',
      });
      await expect
        .poll(() => page.locator('stripe-cart-add[sku="ZIDANE-1998"] .stock').textContent(), {
          timeout: 8_000,
        })
        .toBe('Only 2 left');
      await context.close();
    });

    test('a cart moved about the page listens for pageshow once, and not at all once removed', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${shop.url}/`);
      await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
      const cdp = await context.newCDPSession(page);
      const pageshowListeners = async () => {
        const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
        const { listeners } = await cdp.send('DOMDebugger.getEventListeners', {
          objectId: result.objectId!,
        });
        return listeners.filter((l) => l.type === 'pageshow').length;
      };
      const before = await pageshowListeners();
      await page.evaluate(() => {
        const cart = document.querySelector('stripe-cart')!;
        for (let i = 0; i < 5; i++) document.body.append(cart);
      });
      expect(await pageshowListeners()).toBe(before);
      await page.evaluate(() => document.querySelector('stripe-cart')!.remove());
      expect(await pageshowListeners()).toBe(before - 1);
      await context.close();
    });
  },
);
