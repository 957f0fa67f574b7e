/**
 * a line the server refused for a reason the live catalog cannot show (more than one
 * payment can take) stays marked when the catalog pushes an unrelated stock change (another
 * shopper buying something else), as the error above Pay still says "check the marked lines".
 */
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E } from './support/browser';
import { cartButton, cartDialog, cartLine, expectCount } from './support/cart';
import { shopInChromium } from './support/shop';

describe.skipIf(skipE2E())('refusals and the live catalog', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test("a refused line stays marked after another product's stock changes", async () => {
    const { shop, browser } = suite;
    await shop.test.admin.admin.listProduct.mutate({
      sku: 'GOLD-BAR',
      name: 'Gold bar',
      unitAmount: 40_000_000,
      currency: 'eur',
      stock: 10,
    });
    const { page } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="PELE-1958"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('GOLD-BAR', 3));
    await expectCount(page, 3);
    await cartButton(page).click();
    await cartDialog(page).getByLabel('Email for the receipt').fill('buyer@example.com');
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    const gold = cartLine(page, 'Gold bar');
    await expect
      .poll(() => gold.locator('[part="issue"]').textContent())
      .toContain('More than one payment can take');

    // Meanwhile another shopper's purchase (here: a restock) changes another product's stock.
    await shop.test.admin.admin.adjustStock.mutate({
      sku: 'PELE-1958',
      delta: 1,
      reason: 'restock',
    });
    // The change has reached the page: its add button says so.
    await expect
      .poll(() => page.locator('stripe-cart-add[sku="PELE-1958"] [part="stock"]').textContent())
      .toContain('Only 3 left');
    await page.evaluate(() => document.querySelector('stripe-cart')!.updateComplete);

    // The error still asks to check the marked lines ...
    expect(await cartDialog(page).locator('[part="error"]').textContent()).toContain(
      'check the marked lines',
    );
    // ... so the line must still be marked, with its fix.
    expect(await gold.locator('[part="issue"]').count()).toBe(1);
    await page.context().close();
  });
});
