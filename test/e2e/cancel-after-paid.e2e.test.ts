/**
 * the cancel link of a Stripe page whose session was paid meanwhile (a second tab on
 * the same Stripe page, as Pay in two tabs gives). The server's order.cancel answers
 * `status: 'paid'`; the shopper must not be told "cancelled" and then be charged again.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { orderEvents } from '../support/orders';
import { newShopper, skipE2E } from './support/browser';
import { cartDialog, expectCount } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const sessionIdIn = (url: string) => /cs_[A-Za-z0-9_]+/.exec(url)![0];

async function openShop(page: Page, shopUrl: string): Promise<void> {
  await page.goto(`${shopUrl}/`);
  await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
}

async function pressPay(page: Page, email?: string): Promise<void> {
  await page.evaluate(() => document.querySelector('stripe-cart')!.open());
  if (email) await cartDialog(page).getByLabel('Email for the receipt').fill(email);
  await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
}

describe.skipIf(skipE2E())('cancel link of a paid session', { timeout: 60_000 }, () => {
  const suite = shopInChromium({
    catalog: demoCatalog().map((p) => (p.sku === 'BAGGIO-1994' ? { ...p, stock: 100 } : p)),
  });

  test("a stale Stripe tab's cancel link after the payment went through: the shopper is not asked to pay again", async () => {
    const { shop, browser } = suite;
    const email = 'stale-cancel@example.com';
    const { page } = await newShopper(browser, [shop.url]);
    await openShop(page, shop.url);
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await pressPay(page, email);
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    const sessionId = sessionIdIn(page.url());
    const orderId = shop.test.sandbox.session(sessionId)!.client_reference_id!;

    // A second tab presses Pay on the same cart: the same Stripe page (as the README promises).
    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await pressPay(other);
    await other.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(sessionIdIn(other.url())).toBe(sessionId);

    // The first tab pays, and is closed before Stripe sends it back.
    await shop.test.sandbox.pay(sessionId);
    await page.close();
    await expect
      .poll(async () =>
        (await orderEvents(shop.test.app.services.store, orderId)).map((e) => e.type),
      )
      .toContain('PaymentCompleted');

    // The second tab still shows the payment form; the shopper leaves by its cancel link.
    await other.getByRole('link', { name: 'Cancel and return to the shop' }).click();
    await other.waitForURL(`${shop.url}/**`);
    await cartDialog(other).locator('[part="body"]').waitFor();
    await other.waitForTimeout(1_500);
    const notice = await cartDialog(other).locator('[part="notice"]').allTextContents();
    // What the shopper is told: not that the checkout was cancelled, as it was paid.
    expect.soft(notice.join(' ')).not.toContain('Checkout cancelled');

    // Whatever was said, Pay on the same cart must not open a second Stripe page to pay.
    await expectCount(other, 1).catch(() => {});
    if ((await other.evaluate(() => document.querySelector('stripe-cart')!.items.length)) > 0) {
      await pressPay(other);
      await other.waitForTimeout(3_000);
    }
    const sessions = shop.test.sandbox.sessions().filter((s) => s.customer_email === email);
    expect(sessions).toHaveLength(1);
    await other.context().close();
  });
});
