/**
 * Stock runs out while the cart waits: the lines say so live, checkout is refused line by
 * line by the server, and one click per line fixes the cart so the payment goes through.
 */
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E, stepShots } from './support/browser';
import { cartButton, cartDialog, cartLine, expectCount, payOnSandbox } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const nameOf = (sku: string) => demoCatalog().find((p) => p.sku === sku)!.name;

describe.skipIf(skipE2E())('refused lines in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  /** Lists a product, puts `quantity` of it in a new shopper's cart and presses Pay. */
  async function payForNew(
    product: { sku: string; name: string; unitAmount: number },
    quantity: number,
  ) {
    const { shop, browser } = suite;
    await shop.test.admin.admin.listProduct.mutate({ ...product, currency: 'eur', stock: 10 });
    const shopper = await newShopper(browser, [shop.url]);
    const { page } = shopper;
    await page.goto(`${shop.url}/`);
    await page.locator(`stripe-cart-add[sku="PELE-1958"] .price`).waitFor();
    await page.evaluate(([sku, n]) => document.querySelector('stripe-cart')!.add(sku, n), [
      product.sku,
      quantity,
    ] as const);
    await expectCount(page, quantity);
    await cartButton(page).click();
    await cartDialog(page).getByLabel('Email for the receipt').fill('buyer@example.com');
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    return shopper;
  }

  test('a sold-out and a short line are refused, fixed in one click each, then paid', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    const shot = stepShots(page, 'refusal');
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="PELE-1958"] .price').waitFor();
    await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.add('PELE-1958', 2);
      cart.add('MALDINI-2003', 1);
    });
    await expectCount(page, 3);
    await cartButton(page).click();
    await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
    await shot('cart');

    // Meanwhile another shopper takes the last Maldini, and one Pelé is written off.
    await shop.test.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'MALDINI-2003', quantity: 1 }],
      email: 'rival@example.com',
      returnUrl: `${shop.url}/`,
    });
    await shop.test.admin.admin.adjustStock.mutate({
      sku: 'PELE-1958',
      delta: -1,
      reason: 'damaged in storage',
    });

    const pele = cartLine(page, nameOf('PELE-1958'));
    const maldini = cartLine(page, nameOf('MALDINI-2003'));
    await expect.poll(() => maldini.locator('[part="issue"]').textContent()).toContain('Sold out');
    await expect.poll(() => pele.locator('[part="issue"]').textContent()).toContain('Only 1 left');
    await shot('live-stock');

    // The shopper pays anyway: the server, not the page, decides, and says which lines.
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await expect
      .poll(() => cartDialog(page).locator('[part="error"]').textContent())
      .toContain('Some items changed');
    expect(page.url()).toBe(`${shop.url}/`);
    await shot('refused');

    await pele.getByRole('button', { name: 'Reduce to 1' }).click();
    await maldini.getByRole('button', { name: 'Remove it' }).click();
    await expectCount(page, 1);
    expect(await cartDialog(page).locator('[part="issue"]').count()).toBe(0);
    await shot('fixed');

    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    await payOnSandbox(page, '4242 4242 4242 4242');
    await page.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => cartDialog(page).locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    await shot('paid');

    // The shop's tile now says what the shop knows: no Pelé left to sell.
    const peleTile = page.locator('stripe-cart-add[sku="PELE-1958"]');
    await expect.poll(() => peleTile.locator('[part="stock"]').textContent()).toBe('Sold out');
    expect(await peleTile.getByRole('button').isDisabled()).toBe(true);
    // The one failed request is the refusal itself: a 400 with the problems, as designed.
    expect(errors).toEqual([expect.stringMatching(/^400 .*\/trpc\/checkout\.start/)]);
    await page.context().close();
  });

  test('a line past what one payment can take is cut to what fits, in one click', async () => {
    const { shop } = suite;
    const { page, errors } = await payForNew(
      { sku: 'GOLD-BAR', name: 'Gold bar', unitAmount: 40_000_000 },
      3,
    );

    // 3 x €400,000 is past €999,999.99: the server says 2 fit, and the line offers exactly that.
    const gold = cartLine(page, 'Gold bar');
    await expect
      .poll(() => gold.locator('[part="issue"]').textContent())
      .toContain('More than one payment can take');
    await gold.getByRole('button', { name: 'Reduce to 2' }).click();
    await expectCount(page, 2);
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(errors).toEqual([expect.stringMatching(/^400 .*\/trpc\/checkout\.start/)]);
    await page.context().close();
  });

  test('a cart below the smallest card payment says so, and goes through once it is not', async () => {
    const { shop } = suite;
    const { page, errors } = await payForNew(
      { sku: 'STICKER', name: 'Sticker', unitAmount: 20 },
      2,
    );
    await expect
      .poll(() => cartDialog(page).locator('[part="error"]').textContent())
      .toContain('The total is below the smallest card payment');

    await page.evaluate(() => document.querySelector('stripe-cart')!.add('STICKER', 1));
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(errors).toEqual([expect.stringMatching(/^400 .*\/trpc\/checkout\.start/)]);
    await page.context().close();
  });
});
