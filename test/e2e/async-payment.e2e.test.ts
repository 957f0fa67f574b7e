/**
 * A SEPA debit that is still pending when the shopper comes back, then fails
 * (the sandbox settles async payments 4 s after they are made).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { freePort } from '../support/free-port';
import { ensureWidgetBuilt, repoRoot } from '../widget/build-widget';
import { launchChromium, newShopper, skipE2E } from './support/browser';
import { cartDialog, expectCount } from './support/cart';
import { demoCatalog } from './support/shop';

const items = (page: Page) => page.evaluate(() => document.querySelector('stripe-cart')!.items);

describe.skipIf(skipE2E())(
  'a delayed payment failing after the shopper came back',
  { timeout: 60_000 },
  () => {
    let test_: TestApp;
    let browser: Browser;
    let url: string;
    beforeAll(async () => {
      ensureWidgetBuilt();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      test_ = await startTestApp({
        catalog: demoCatalog(),
        sandbox: { asyncDelayMs: 4_000 },
        pages: [{ prefix: '/', root: path.join(repoRoot, 'demo', 'shop') }],
        env: { PORT: String(port), PUBLIC_URL: url, ALLOWED_ORIGINS: url },
      });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await test_?.close();
    });

    test('a debit that fails after the shopper came back leaves the items in the cart', async () => {
      const shop = { url, test: test_ };
      const { page } = await newShopper(browser, [shop.url]);
      await page.goto(`${shop.url}/`);
      await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
      await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994', 2));
      await expectCount(page, 2);
      const started = page.waitForResponse((r) => r.url().includes('/trpc/checkout.start'));
      await page.evaluate(() => {
        document.addEventListener('stripe-cart:checkout', (e) => e.preventDefault());
        document.querySelector('stripe-cart')!.open();
      });
      await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
      await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
      const { orderId, checkoutUrl } = (
        (await (await started).json()) as {
          result: { data: { orderId: string; checkoutUrl: string } };
        }
      ).result.data;
      const sessionId = /cs_[A-Za-z0-9_]+/.exec(checkoutUrl)![0];
      // Stripe's SEPA test IBAN whose debit fails a few days later (the sandbox: asyncDelayMs).
      await shop.test.sandbox.pay(sessionId, { iban: 'DE62370400440532013001' });
      await page.goto(
        `${shop.url}/?stripe_cart=success&stripe_cart_order=${orderId}&stripe_cart_session=${sessionId}`,
      );
      await expect
        .poll(() => cartDialog(page).locator('[part="status"]').getAttribute('data-status'), {
          timeout: 10_000,
        })
        .toBe('failed');
      expect(await cartDialog(page).locator('[part="status"]').textContent()).toContain(
        'nothing was charged',
      );
      // Nothing was bought: the shopper should not have to fill the cart again.
      await expect
        .poll(() => items(page), { timeout: 3_000 })
        .toEqual([{ sku: 'BAGGIO-1994', quantity: 2 }]);
      await page.context().close();
    });
  },
);
