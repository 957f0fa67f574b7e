/**
 * README ("With PUBLIC_URL set (a tunnel, a phone on your network), shoppers there
 * reach the shop and can start a checkout"). A phone on the network opens
 * http://<the machine's name>:3000/, which is not a secure context (no crypto.randomUUID, no
 * Web Locks): Pay must still start a checkout, or at least not hang on "Starting checkout…".
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { freePort } from '../support/free-port';
import { ensureWidgetBuilt, repoRoot } from '../widget/build-widget';
import { CHROMIUM_PATH, skipE2E } from './support/browser';
import { cartDialog, expectCount } from './support/cart';
import { demoCatalog } from './support/shop';

describe.skipIf(skipE2E())(
  'the shop opened from a phone on the network',
  { timeout: 60_000 },
  () => {
    let app: TestApp;
    let browser: Browser;
    let lanUrl: string;
    beforeAll(async () => {
      ensureWidgetBuilt();
      const port = await freePort();
      lanUrl = `http://shop-lan.test:${port}`;
      [app, browser] = await Promise.all([
        startTestApp({
          catalog: demoCatalog(),
          pages: [{ prefix: '/', root: path.join(repoRoot, 'demo', 'shop') }],
          env: { PORT: String(port), PUBLIC_URL: lanUrl, ALLOWED_ORIGINS: lanUrl },
        }),
        // The phone resolves the machine's name to its address (here: this machine's).
        chromium.launch({
          executablePath: CHROMIUM_PATH,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--host-resolver-rules=MAP shop-lan.test 127.0.0.1',
          ],
        }),
      ]);
    });
    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    test('Pay on an http page that is not localhost starts the checkout', async () => {
      const context = await browser.newContext({ reducedMotion: 'reduce', locale: 'en-GB' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${lanUrl}/`);
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
      await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
      await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
      await expectCount(page, 1);
      await page.evaluate(() => document.querySelector('stripe-cart')!.open());
      await cartDialog(page).getByLabel('Email for the receipt').fill('phone@example.com');
      await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
      // Stripe's page (the old widget threw "crypto.randomUUID is not a function" and stayed
      // on "Starting checkout…" with no message).
      await page.waitForURL(`${app.sandbox.url}/**`, { timeout: 10_000 });
      expect(errors).toEqual([]);
      await context.close();
    });
  },
);
