/** Another site on another origin embeds the widget with two lines and sells through it. */
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E, stepShots } from './support/browser';
import { cartButton, cartDialog, expectCount, payOnSandbox } from './support/cart';
import { shopInChromium } from './support/shop';

describe.skipIf(skipE2E())('cross-origin embedding in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium({ embed: true });

  test('a page on another origin fills the cart, pays and sees the order paid', async () => {
    const { shop, browser } = suite;
    const embedUrl = shop.embedUrl!;
    expect(new URL(embedUrl).origin).not.toBe(new URL(shop.url).origin);
    const { page, errors } = await newShopper(browser, [embedUrl, shop.url]);
    const shot = stepShots(page, 'embed');
    await page.goto(`${embedUrl}/`);
    const add = page.locator('stripe-cart-add[sku="CRUYFF-1974"]');
    await add.locator('.price').waitFor();
    await shot('blog');

    await add.getByRole('button', { name: /Buy the Cruyff card/ }).click();
    await page.getByRole('button', { name: 'add Beckenbauer too' }).click();
    await expectCount(page, 2);
    // The cart lives in the blog's storage, keyed by the shop's API origin.
    const stored = await page.evaluate(
      (key) => localStorage.getItem(key),
      `stripe-cart:v1:${new URL(shop.url).origin}`,
    );
    expect(JSON.parse(stored!).lines).toHaveLength(2);

    await cartButton(page).click();
    await cartDialog(page).getByLabel('Email for the receipt').fill('reader@example.com');
    await shot('cart');
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    await payOnSandbox(page, '4242 4242 4242 4242');
    await page.waitForURL(`${embedUrl}/**`);
    await expect
      .poll(() => cartDialog(page).locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    expect(page.url()).toBe(`${embedUrl}/`);
    await expectCount(page, 0);
    await shot('paid');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('the server refuses checkout for a page whose origin it does not allow', async () => {
    const { shop } = suite;
    const orders = await shop.test.client.checkout.start
      .mutate({
        checkoutId: crypto.randomUUID(),
        items: [{ sku: 'CRUYFF-1974', quantity: 1 }],
        email: 'reader@example.com',
        returnUrl: 'http://127.0.0.1:1/elsewhere',
      })
      .catch((error: Error) => error.message);
    expect(orders).toMatch(/^Invalid input: returnUrl: must be on an allowed origin; /);
  });
});
