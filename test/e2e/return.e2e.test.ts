/**
 * Coming back from Stripe, in real Chromium: after paying only the paid items leave the
 * cart, an address naming no order keeps the cart and says so, a cancel gives the
 * checkout's stock back at once, a shop that cannot be reached is said to be, and a reload
 * while the payment is confirming shows the order again.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { cartEvents, newShopper, skipE2E } from './support/browser';
import { cartButton, cartDialog, expectCount, payOnSandbox } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const product = (sku: string) => demoCatalog().find((p) => p.sku === sku)!;
const items = (page: Page) => page.evaluate(() => document.querySelector('stripe-cart')!.items);

/** Opens the cart and goes to Stripe's page with what the cart holds. */
async function goToStripe(page: Page, sandboxUrl: string): Promise<void> {
  await page.evaluate(() => document.querySelector('stripe-cart')!.open());
  await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
  await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
  await page.waitForURL(`${sandboxUrl}/**`);
}

describe.skipIf(skipE2E())('coming back from Stripe, in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('paying takes only the paid items out of the cart: what another tab added stays', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await goToStripe(page, shop.test.sandbox.url);

    // Meanwhile the shopper keeps shopping in another tab.
    const other = await page.context().newPage();
    await other.goto(`${shop.url}/`);
    await other.locator('stripe-cart-add[sku="ZIDANE-1998"] .price').waitFor();
    await other.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.add('BAGGIO-1994');
      cart.add('ZIDANE-1998');
    });
    await expectCount(other, 3);

    await payOnSandbox(page, '4242 4242 4242 4242');
    await page.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => cartDialog(page).locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    const left = [
      { sku: 'BAGGIO-1994', quantity: 1 },
      { sku: 'ZIDANE-1998', quantity: 1 },
    ];
    await expect.poll(() => items(page)).toEqual(left);
    await expect.poll(() => items(other)).toEqual(left);
    const reasons = (await cartEvents(page))
      .filter((e) => e.type === 'change')
      .map((e) => e.detail.reason);
    expect(reasons.filter((r) => r === 'paid')).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a success address naming no order keeps the cart and says so', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('PELE-1958', 2));
    await expectCount(page, 2);
    const unknown = crypto.randomUUID();
    for (const query of [
      'stripe_cart=success&stripe_cart_order=nonsense',
      `stripe_cart=success&stripe_cart_order=${unknown}&stripe_cart_session=cs_test_x`,
      `stripe_cart=success&stripe_cart_order=${unknown}`,
    ]) {
      await page.goto(`${shop.url}/?${query}`);
      await expect
        .poll(() => cartDialog(page).locator('[part="notice"]').first().textContent())
        .toBe('We could not find this order. Your cart is still here.');
      expect(await cartDialog(page).locator('h2').textContent()).toBe('Your cart');
      expect(await cartDialog(page).textContent()).not.toContain('Loading');
      expect(await items(page)).toEqual([{ sku: 'PELE-1958', quantity: 2 }]);
      expect(page.url()).toBe(`${shop.url}/`);
    }
    await page.context().close();
  });

  test('a cancel at Stripe gives the stock back: paying again is not "Sold out"', async () => {
    const { shop, browser } = suite;
    const sku = 'MARADONA-1986';
    await shop.test.admin.admin.adjustStock.mutate({
      sku,
      delta: 1 - product(sku).stock,
      reason: 'return test: the last one',
    });
    const { page, errors } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator(`stripe-cart-add[sku="${sku}"] .price`).waitFor();
    await page.evaluate((sku) => document.querySelector('stripe-cart')!.add(sku), sku);
    await goToStripe(page, shop.test.sandbox.url);

    await page.getByRole('link', { name: 'Cancel and return to the shop' }).click();
    await page.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => cartDialog(page).locator('[part="notice"]').first().textContent())
      .toContain('Checkout cancelled. Your cart is still here.');
    expect(await items(page)).toEqual([{ sku, quantity: 1 }]);
    const available = async () =>
      (await shop.test.client.catalog.list.query()).find((p) => p.sku === sku)?.available;
    await expect.poll(available).toBe(1);

    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a failed cancel call stays quiet: the shopper sees the cancel and keeps the cart', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    let cancels = 0;
    await page.route('**/trpc/order.cancel**', (route) => {
      cancels += 1;
      return route.fulfill({ status: 503, contentType: 'application/json', body: '{}' });
    });
    await page.goto(`${shop.url}/`);
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('PELE-1958'));
    await expectCount(page, 1);
    await page.goto(`${shop.url}/?stripe_cart=cancel&stripe_cart_order=${crypto.randomUUID()}`);
    await expect
      .poll(() => cartDialog(page).locator('[part="notice"]').first().textContent())
      .toContain('Checkout cancelled. Your cart is still here.');
    await expect.poll(() => cancels).toBe(1);
    expect(await cartDialog(page).locator('[part="error"]').isVisible()).toBe(false);
    expect(await items(page)).toEqual([{ sku: 'PELE-1958', quantity: 1 }]);
    expect((await cartEvents(page)).filter((e) => e.type === 'error')).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(/^503 .*\/trpc\/order\.cancel/)]);
    await page.context().close();
  });

  test('back from Stripe while the shop cannot be reached: the order panel says so instead of "Loading…" for good', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    const { orderId } = await shop.test.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'paid@example.com',
      returnUrl: `${shop.url}/`,
    });
    // The shop's API is down (the page itself comes from a CDN, say).
    await page.route('**/trpc/**', (route) => route.abort('connectionrefused'));
    await page.goto(
      `${shop.url}/?stripe_cart=success&stripe_cart_order=${orderId}&stripe_cart_session=cs_test_x`,
    );
    const body = cartDialog(page).locator('[part="body"]');
    await body.waitFor();
    // What the cart panel says in the same situation.
    await expect
      .poll(() => body.textContent(), { timeout: 8_000 })
      .toContain('Reconnecting: prices and stock may be out of date.');
    await page.context().close();
  });

  test("a reload before the order was first read still takes the order's units out of the cart, once", async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    const { orderId, checkoutUrl } = await shop.test.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'reload-early@example.com',
      returnUrl: `${shop.url}/`,
    });
    await shop.test.sandbox.pay(/cs_[A-Za-z0-9_]+/.exec(checkoutUrl)![0]);
    // The cart holds the order's unit and one more.
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994', 2));
    await expectCount(page, 2);
    // Back from Stripe while the order cannot be read: the widget tries, and fails.
    let refused = 0;
    await page.route('**/trpc/order.**', (route) => {
      refused += 1;
      return route.abort('connectionrefused');
    });
    await page.goto(`${shop.url}/?stripe_cart=success&stripe_cart_order=${orderId}`);
    await cartDialog(page).locator('[part="body"]').waitFor();
    await expect.poll(() => refused, { timeout: 8_000 }).toBeGreaterThan(0);
    expect(await items(page)).toEqual([{ sku: 'BAGGIO-1994', quantity: 2 }]);
    // The shopper reloads; the shop answers again.
    await page.unroute('**/trpc/order.**');
    await page.reload();
    await cartButton(page).waitFor();
    const status = cartDialog(page).locator('[part="status"]');
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    // Only the unit added besides the order is left.
    await expect
      .poll(() => items(page), { timeout: 3_000 })
      .toEqual([{ sku: 'BAGGIO-1994', quantity: 1 }]);
    // The order is paid, so no longer kept: a second reload shows the cart, and takes nothing.
    await page.reload();
    await cartButton(page).waitFor();
    await expect
      .poll(() => items(page), { timeout: 3_000 })
      .toEqual([{ sku: 'BAGGIO-1994', quantity: 1 }]);
    expect(await cartDialog(page).locator('[part="status"]').count()).toBe(0);
    await page.context().close();
  });

  test('a shopper who reloads while "Confirming your payment…" still sees the order (and the page still hears stripe-cart:paid)', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    // Paid at Stripe, but the webhook is late: the order still waits for its confirmation.
    const { orderId, checkoutUrl } = await shop.test.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'reload@example.com',
      returnUrl: `${shop.url}/`,
    });
    // The cart holds two: one is the order's, one was added in another tab meanwhile.
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994', 2));
    await expectCount(page, 2);
    await page.goto(`${shop.url}/?stripe_cart=success&stripe_cart_order=${orderId}`);
    const status = cartDialog(page).locator('[part="status"]');
    await expect.poll(() => status.textContent()).toContain('Confirming your payment');
    await expect.poll(() => items(page)).toEqual([{ sku: 'BAGGIO-1994', quantity: 1 }]);
    // It seems stuck; the shopper reloads, as shoppers do.
    await page.reload();
    await cartButton(page).waitFor();
    await expect.poll(() => status.textContent()).toContain('Confirming your payment');
    expect(page.url()).toBe(`${shop.url}/`);
    // The order's unit left the cart once, not again.
    expect(await items(page)).toEqual([{ sku: 'BAGGIO-1994', quantity: 1 }]);
    // The webhook comes: the page hears the payment, and a reload after it shows the cart.
    await shop.test.sandbox.pay(/cs_[A-Za-z0-9_]+/.exec(checkoutUrl)![0]);
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    const paid = (await cartEvents(page)).filter((e) => e.type === 'paid');
    expect(paid.map((e) => e.detail.orderId)).toEqual([orderId]);
    expect(await items(page)).toEqual([{ sku: 'BAGGIO-1994', quantity: 1 }]);
    await page.reload();
    await cartButton(page).waitFor();
    // The cart has loaded (and handled any return it had): the ended order is not shown again.
    await expect.poll(() => items(page)).toEqual([{ sku: 'BAGGIO-1994', quantity: 1 }]);
    await page.evaluate(() => document.querySelector('stripe-cart')!.updateComplete);
    expect(await status.count()).toBe(0);
    await page.context().close();
  });
});
