/**
 * The widget when things go wrong around it: a proxy answering a reconnect with 502, another
 * tab saving the cart, and a checkout never answered, in real Chromium.
 */
import type { Route } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E } from './support/browser';
import { cartDialog, expectCount } from './support/cart';
import { shopInChromium } from './support/shop';

describe.skipIf(skipE2E())('the widget around trouble', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('the live stock feed comes back after the server (or its proxy) answered one reconnect with 502', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    const list = await shop.test.client.catalog.list.query();
    let watches = 0;
    await page.route(
      (u) => u.pathname.endsWith('/trpc/catalog.watch'),
      async (route: Route) => {
        watches += 1;
        if (watches === 1) {
          // A stream that ends (the server restarting): EventSource reconnects by itself.
          await route.fulfill({
            status: 200,
            headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
            body: `event: connected\ndata: {}\n\nretry: 200\ndata: ${JSON.stringify(list)}\n\n`,
          });
        } else if (watches === 2) {
          // The reverse proxy in front says the upstream is not back yet.
          await route.fulfill({ status: 502, body: 'Bad Gateway' });
        } else {
          await route.continue();
        }
      },
    );
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await page.evaluate(() => document.querySelector('stripe-cart')!.open());
    // The server is back: the widget subscribes again (5 s after the 502), and is live.
    await expect.poll(() => watches, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    await expect
      .poll(() => cartDialog(page).locator('[part="notice"]').allTextContents(), {
        timeout: 5_000,
      })
      .not.toContain('Reconnecting: prices and stock may be out of date.');
    await page.context().close();
  });

  test('an email typed in one tab survives another tab changing the cart', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    const other = await page.context().newPage();
    await other.goto(`${shop.url}/`);
    await expectCount(other, 1);
    await page.evaluate(() => document.querySelector('stripe-cart')!.open());
    await cartDialog(page).getByLabel('Email for the receipt').fill('me@example.com');
    // The other (older) tab adds something; then the first tab is reloaded.
    await other.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(page, 2);
    await page.reload();
    await page.evaluate(() => document.querySelector('stripe-cart')!.open());
    expect(await cartDialog(page).getByLabel('Email for the receipt').inputValue()).toBe(
      'me@example.com',
    );
    await page.context().close();
  });

  test('a checkout the server never answers does not leave the shopper on "Starting checkout…" for good', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    // The shop is overloaded or a proxy hangs: the request is accepted and never answered.
    await page.route('**/trpc/checkout.start**', () => {});
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.add('BAGGIO-1994');
      cart.open();
    });
    await cartDialog(page).getByLabel('Email for the receipt').fill('slow@example.com');
    const pay = cartDialog(page).locator('[part="checkout"]');
    await pay.click();
    await expect.poll(() => pay.getAttribute('aria-disabled')).toBe('true');
    // Four tries of 25 s later the shopper is told something and can try again.
    await expect
      .poll(() => pay.getAttribute('aria-disabled'), { timeout: 120_000, interval: 1_000 })
      .toBe('false');
    expect(await cartDialog(page).locator('[part="error"]').textContent()).toContain(
      'could not reach the shop',
    );
    await page.context().close();
  }, 150_000);
});
