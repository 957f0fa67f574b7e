/**
 * Back from Stripe's page to a cart that can pay again (README). The units the
 * shopper's own open checkout holds are taken off the live stock, so the shopper's own line
 * must not read "Sold out" / offer to remove it.
 */
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E } from './support/browser';
import { cartDialog, cartLine, expectCount } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const name = demoCatalog().find((p) => p.sku === 'MALDINI-2003')!.name;

describe.skipIf(skipE2E())('back from Stripe with the last unit', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test("back from Stripe's page, the shopper's own held unit is not shown as sold out", async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="MALDINI-2003"] .price').waitFor();
    // The last one in stock.
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('MALDINI-2003'));
    await expectCount(page, 1);
    await page.evaluate(() => document.querySelector('stripe-cart')!.open());
    await cartDialog(page).getByLabel('Email for the receipt').fill('last-one@example.com');
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    // The shopper wants to check the cart once more and presses Back.
    await page.goBack();
    await page.locator('stripe-cart-add[sku="MALDINI-2003"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.open());
    await expectCount(page, 1);
    // The live stock has come, the held unit off it: the add button shows it sold out.
    await expect
      .poll(() => page.locator('stripe-cart-add[sku="MALDINI-2003"] [part="stock"]').textContent())
      .toContain('Sold out');
    await page.evaluate(() => document.querySelector('stripe-cart')!.updateComplete);
    const issue = await cartLine(page, name).locator('[part="issue"]').allTextContents();
    expect(issue.join(' ')).not.toMatch(/Sold out|Remove it/);
    await page.context().close();
  });
});
