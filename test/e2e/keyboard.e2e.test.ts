/** The whole purchase with the keyboard only: no mouse, focus always where it should be. */
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E, stepShots } from './support/browser';
import { cartDialog, expectCount, focused, tabTo } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const nameOf = (sku: string) => demoCatalog().find((p) => p.sku === sku)!.name;
const baggio = nameOf('BAGGIO-1994');

describe.skipIf(skipE2E())('keyboard-only checkout in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('add, open, stay trapped, Escape, reopen, change quantity, pay, come back', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    const shot = stepShots(page, 'keyboard');
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();

    await tabTo(page, 'Add Baggio to the cart');
    await page.keyboard.press('Enter');
    await expectCount(page, 1);
    await shot('added');

    const cart = await tabTo(page, /^Cart, 1 item$/);
    expect(cart.inDialog).toBe(false);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).inDialog).toBe(true);
    await shot('open');

    // Focus cycles inside the dialog, however often the shopper presses Tab (or Shift+Tab).
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press(i < 8 ? 'Tab' : 'Shift+Tab');
      expect((await focused(page)).inDialog).toBe(true);
    }

    await page.keyboard.press('Escape');
    await expect.poll(() => cartDialog(page).isVisible()).toBe(false);
    expect((await focused(page)).name).toBe('Cart, 1 item');

    await page.keyboard.press('Enter');
    await tabTo(page, `One more ${baggio}`);
    await page.keyboard.press('Space');
    await expectCount(page, 2);
    // The stepper keeps focus, so the shopper can press again.
    expect((await focused(page)).name).toBe(`One more ${baggio}`);
    await shot('quantity');

    await tabTo(page, 'Email for the receipt');
    await page.keyboard.type('keys@example.com');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    await shot('stripe-page');

    await tabTo(page, 'Card number');
    await page.keyboard.type('4242424242424242');
    await page.keyboard.press('Tab');
    await page.keyboard.type('12 / 34');
    await page.keyboard.press('Tab');
    await page.keyboard.type('123');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => cartDialog(page).locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    expect((await focused(page)).inDialog).toBe(true);
    await shot('paid');

    await tabTo(page, 'Continue shopping');
    await page.keyboard.press('Enter');
    await expect.poll(() => cartDialog(page).isVisible()).toBe(false);
    expect((await focused(page)).name).toBe('Cart, 0 items');
    expect(errors).toEqual([]);
    await page.context().close();
  });
  test('0 in a quantity field removes the line and puts focus on the title, as Remove does', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="ZIDANE-1998"] .price').waitFor();
    await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.add('BAGGIO-1994');
      cart.add('ZIDANE-1998');
      cart.open();
    });
    const title = { tag: 'h2', name: 'Your cart', inDialog: true };
    const field = (sku: string) =>
      cartDialog(page).getByRole('spinbutton', { name: `Quantity of ${nameOf(sku)}` });

    // The first line: its field must not stay focused as the next product's.
    await field('BAGGIO-1994').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toEqual(title);
    await expectCount(page, 1);

    // The last line: focus must not fall out of the dialog to the page.
    await field('ZIDANE-1998').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0');
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toEqual(title);
    await expectCount(page, 0);
    await page.keyboard.press('Tab');
    expect((await focused(page)).inDialog).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
