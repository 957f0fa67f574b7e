/**
 * What screen readers hear when the cart opens, and checkout from a page with a long
 * address, in real Chromium.
 */
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E } from './support/browser';
import { cartDialog, expectCount } from './support/cart';
import { shopInChromium } from './support/shop';

describe.skipIf(skipE2E())('announcements and long addresses', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('opening the cart does not repeat the last announcement made while it was closed', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] button').click();
    await expectCount(page, 1);
    const outside = page.locator('stripe-cart .sr[role="status"]').first();
    await expect.poll(() => outside.textContent()).toContain('added to the cart');
    await page.locator('stripe-cart .trigger').click();
    await page.evaluate(() => document.querySelector('stripe-cart')!.updateComplete);
    const inside = cartDialog(page).locator('.sr[role="status"]');
    // A polite live region whose text changes as the dialog opens is read out again.
    expect((await inside.textContent())?.trim()).toBe('');
    await page.context().close();
  });

  test('a shopper on a page with a long address (tracking parameters) can still pay', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    const tracking = `utm_source=newsletter&utm_campaign=${'x'.repeat(2_000)}`;
    await page.goto(`${shop.url}/?${tracking}`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await page.evaluate(() => document.querySelector('stripe-cart')!.open());
    await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await expect
      .poll(async () => page.url(), {
        timeout: 10_000,
      })
      .toContain(shop.test.sandbox.url);
    await page.context().close();
  });
});
