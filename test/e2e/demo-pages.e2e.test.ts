/**
 * The demo as a shopper meets it, in Chromium: ?lang=it puts the cart and its buttons in
 * Italian while the page's own English text keeps <html lang="en">, the sandbox's payment
 * page (written in English) says so whatever the session's locale, and a declined card
 * leaves keyboard focus on the alert rather than at the top of the page.
 */
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E } from './support/browser';
import { cartButton, cartDialog, expectCount, payOnSandbox } from './support/cart';
import { shopInChromium } from './support/shop';

describe.skipIf(skipE2E())(
  'the demo shop and the sandbox page, in Chromium',
  { timeout: 90_000 },
  () => {
    const suite = shopInChromium();

    async function toPaymentPage(query = '') {
      const { shop, browser } = suite;
      const { page } = await newShopper(browser, [shop.url]);
      await page.goto(`${shop.url}/${query}`);
      await page.locator('stripe-cart-add[sku="RONALDO-2002"] button').click();
      await expectCount(page, 1);
      await cartButton(page).click();
      await cartDialog(page).locator('input[type=email]').fill('shopper@example.com');
      await cartDialog(page).locator('button.pay').first().click();
      await page.waitForURL(`${shop.test.sandbox.url}/**`);
      return page;
    }

    test('Italian shop: the payment page, written in English, is not marked as Italian', async () => {
      const page = await toPaymentPage('?lang=it');
      const text = await page.locator('h2#summary-heading').textContent();
      expect(text).toBe('Order summary');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await page.context().close();
    });

    test('Italian shop: the shop page, whose own text stays English, is not marked as Italian', async () => {
      const { shop, browser } = suite;
      const { page } = await newShopper(browser, [shop.url]);
      await page.goto(`${shop.url}/?lang=it`);
      expect(await page.locator('#cards-title').textContent()).toBe('All cards');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      // The cart and its buttons speak Italian all the same.
      await expect.poll(() => cartButton(page).textContent()).toContain('Carrello');
      await expect
        .poll(() => page.locator('stripe-cart-add[sku="RONALDO-2002"] button').textContent())
        .toContain('Aggiungi');
      await page.context().close();
    });

    test('after a declined card, keyboard focus is on the card number (or the alert), not lost', async () => {
      const page = await toPaymentPage();
      await payOnSandbox(page, '4000 0000 0000 0002');
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('declined');
      const active = await page.evaluate(
        () => document.activeElement?.id || document.activeElement?.tagName,
      );
      expect(['card-number', 'form-error']).toContain(active);
      await page.context().close();
    });
  },
);
