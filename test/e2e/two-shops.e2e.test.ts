/**
 * Two shops on a site owner's page, each a real stripe-cart server with its own sandbox, in
 * Chromium:
 * back from paying the second shop, its own cart takes the shopper back (each shop keeps its
 * cart and its last Pay under its own origin), not the page's first cart; so does it after
 * a reload while the payment is still confirming.
 */
import http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StripeCart } from '../../widget/stripe-cart';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { freePort } from '../support/free-port';
import { ensureWidgetBuilt } from '../widget/build-widget';
import { launchChromium, newShopper, skipE2E } from './support/browser';
import { payOnSandbox } from './support/cart';
import { demoCatalog } from './support/shop';

describe.skipIf(skipE2E())('two shops on one page, in Chromium', { timeout: 60_000 }, () => {
  let first: TestApp;
  let second: TestApp;
  let browser: Browser;
  let site: http.Server;
  let siteUrl: string;
  beforeAll(async () => {
    ensureWidgetBuilt();
    // The site owner's page, on an origin of its own, with a cart for each shop.
    const port = await freePort();
    siteUrl = `http://127.0.0.1:${port}`;
    [first, second, browser] = await Promise.all([
      startTestApp({ catalog: demoCatalog(), env: { ALLOWED_ORIGINS: siteUrl } }),
      startTestApp({ catalog: demoCatalog(), env: { ALLOWED_ORIGINS: siteUrl } }),
      launchChromium(),
    ]);
    const page = `<!doctype html><html lang="en">
      <script type="module" src="${first.url}/widget/stripe-cart.js"></script>
      <stripe-cart id="first" api="${first.url}"></stripe-cart>
      <stripe-cart id="second" api="${second.url}"></stripe-cart></html>`;
    site = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    });
    await new Promise<void>((resolve) => site.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
    await Promise.all([first?.close(), second?.close()]);
  });

  /** On the site, a shirt in each shop's cart; the second shop's cart open, its email in. */
  async function secondShopCartFilled(page: Page) {
    await page.goto(`${siteUrl}/two-shops`);
    await page.locator('stripe-cart#second .trigger').waitFor();
    await page.evaluate(() => {
      document.querySelector<StripeCart>('stripe-cart#first')!.add('PELE-1958');
      const cart = document.querySelector<StripeCart>('stripe-cart#second')!;
      cart.add('ZIDANE-1998');
      cart.open();
    });
    const dialog = page.locator('stripe-cart#second dialog');
    await dialog.getByLabel('Email for the receipt').fill('second-shop@example.com');
    return dialog;
  }

  test("back from paying the second shop, the second shop's cart shows the order and lets go of what was paid", async () => {
    const { page, errors } = await newShopper(browser, [siteUrl, first.url, second.url]);
    const dialog = await secondShopCartFilled(page);
    await dialog.getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${second.sandbox.url}/**`);
    await payOnSandbox(page, '4242 4242 4242 4242');
    // Back on the site: the cart takes the return and tidies its query off the address, which
    // may happen before the load event that waitForURL waits for.
    await page.waitForURL(`${siteUrl}/two-shops**`);

    await expect
      .poll(() => dialog.locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    const items = () =>
      page.evaluate(() =>
        ['first', 'second'].map(
          (id) => document.querySelector<StripeCart>(`stripe-cart#${id}`)!.items,
        ),
      );
    await expect.poll(items).toEqual([[{ sku: 'PELE-1958', quantity: 1 }], []]);
    // The first shop's cart was not asked about an order it does not know.
    expect(await page.locator('stripe-cart#first dialog[open]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a reload while the second shop's payment is confirming still shows that order, in the second shop's cart", async () => {
    const { page } = await newShopper(browser, [siteUrl, first.url, second.url]);
    const dialog = await secondShopCartFilled(page);
    const checkout = page.evaluate(
      () =>
        new Promise<{ orderId: string; checkoutUrl: string }>((resolve) =>
          document.addEventListener(
            'stripe-cart:checkout',
            (e) => {
              e.preventDefault();
              resolve((e as CustomEvent).detail);
            },
            { once: true },
          ),
        ),
    );
    await dialog.getByRole('button', { name: 'Pay with card' }).click();
    const { orderId, checkoutUrl } = await checkout;
    const sessionId = /cs_[A-Za-z0-9_]+/.exec(checkoutUrl)![0];
    // Paid at Stripe, Stripe's webhook late: back on the site the order is still confirming.
    second.sandbox.setWebhookUrl(undefined);
    await second.sandbox.pay(sessionId);
    await page.goto(`${siteUrl}/two-shops?stripe_cart=success&stripe_cart_order=${orderId}`);
    const status = dialog.locator('[part="status"]');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('Confirming');

    // It seems stuck; the shopper reloads.
    await page.reload();
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('Confirming');
    const shown = await page.evaluate(() =>
      ['first', 'second'].map((id) => {
        const root = document.querySelector(`stripe-cart#${id}`)!.shadowRoot!;
        return {
          open: !!root.querySelector('dialog[open]'),
          status: root.querySelector('[part="status"]')?.textContent?.trim() ?? null,
          notice: root.querySelector('[part="notice"]')?.textContent?.trim() ?? null,
        };
      }),
    );
    // The first shop knows nothing of this order: it must not say it cannot find it.
    expect(shown[0]!.notice).toBeNull();
    expect(shown[1]!.open).toBe(true);
    expect(shown[1]!.status).toContain('Confirming');
    await page.context().close();
  });
});
