/**
 * One cart shared by many tabs, and pages seen again, in real Chromium: the shopper is never
 * charged twice for it (a changed cart's Pay ends the Stripe page of the cart before, and a
 * stale Stripe tab's cancel link after the payment shows the paid order), its paid items
 * leave it once, and `stripe-cart:paid` is heard once.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { gate } from '../support/gate';
import { orderEvents } from '../support/orders';
import { cartEvents, newShopper, skipE2E } from './support/browser';
import { cartDialog, expectCount, payOnSandbox } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const items = (page: Page) => page.evaluate(() => document.querySelector('stripe-cart')!.items);
const sessionIdIn = (url: string) => /cs_[A-Za-z0-9_]+/.exec(url)![0];

/** Opens the shop with the product's price shown, so its add is capped by real stock. */
async function openShop(page: Page, shopUrl: string): Promise<void> {
  await page.goto(`${shopUrl}/`);
  await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
}

/** Presses Pay (the email is the one saved with the cart, or `email`). */
async function pressPay(page: Page, email?: string): Promise<void> {
  await page.evaluate(() => document.querySelector('stripe-cart')!.open());
  if (email) await cartDialog(page).getByLabel('Email for the receipt').fill(email);
  await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
}

describe.skipIf(skipE2E())('one cart in many tabs, in Chromium', { timeout: 60_000 }, () => {
  // Every test holds or buys a shirt or two of this one.
  const suite = shopInChromium({
    catalog: demoCatalog().map((p) => (p.sku === 'BAGGIO-1994' ? { ...p, stock: 100 } : p)),
  });

  /** A new shopper with the shirt in the cart who pressed Pay with `email`: on Stripe's page. */
  async function shirtOnStripe(email: string) {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await openShop(page, shop.url);
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await pressPay(page, email);
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    return { page, errors, sessionId: sessionIdIn(page.url()) };
  }

  /** Pays on `page`'s Stripe page and closes that tab before Stripe sends it back: the server has the payment. */
  async function paidInClosedTab(page: Page, orderId: string, sessionId: string) {
    const { shop } = suite;
    await shop.test.sandbox.pay(sessionId);
    await page.close();
    await expect
      .poll(async () =>
        (await orderEvents(shop.test.app.services.store, orderId)).map((e) => e.type),
      )
      .toContain('PaymentCompleted');
  }

  /** The sandbox's sessions made for `email`, open or not. */
  const sessionsOf = (email: string) =>
    suite.shop.test.sandbox.sessions().filter((s) => s.customer_email === email);

  test('Pay pressed in two tabs opens one Stripe page: one order, one thing to pay', async () => {
    const { shop } = suite;
    const { page, errors, sessionId } = await shirtOnStripe('two-tabs@example.com');

    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await expectCount(other, 1);
    await pressPay(other);
    await other.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(other.url()).toBe(page.url());

    const session = shop.test.sandbox.session(sessionId)!;
    const orderId = session.client_reference_id!;
    const sessions = sessionsOf('two-tabs@example.com');
    expect(sessions.map((s) => s.id)).toEqual([session.id]);
    // Paid in the first tab, the second tab's page has nothing left to pay.
    await payOnSandbox(page, '4242 4242 4242 4242');
    await page.waitForURL(`${shop.url}/**`);
    await other.reload();
    await other.getByRole('heading', { name: 'This checkout session is complete' }).waitFor();
    const types = (await orderEvents(shop.test.app.services.store, orderId)).map((e) => e.type);
    expect(types.filter((t) => t === 'CheckoutStarted')).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('the same email filled in again (autofill) in another tab: Pay still opens the one Stripe page', async () => {
    const { shop } = suite;
    const { page, errors } = await shirtOnStripe('refill@example.com');

    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await expectCount(other, 1);
    await pressPay(other, 'refill@example.com');
    await other.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(other.url()).toBe(page.url());
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a cart changed in another tab while the first is on Stripe: its Pay ends that first page, so only one can be paid', async () => {
    const { shop } = suite;
    const { page, errors, sessionId: first } = await shirtOnStripe('superseded@example.com');

    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await other.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(other, 2);
    await pressPay(other);
    await other.waitForURL(`${shop.test.sandbox.url}/**`);
    const second = sessionIdIn(other.url());
    expect(second).not.toBe(first);
    expect(shop.test.sandbox.session(first)?.status).toBe('expired');
    // The first tab's page can no longer take the money.
    await page.reload();
    await page.getByRole('heading', { name: 'This checkout session has expired' }).waitFor();
    const firstOrder = shop.test.sandbox.session(first)!.client_reference_id!;
    await expect
      .poll(async () =>
        (await orderEvents(shop.test.app.services.store, firstOrder)).map((e) => e.type),
      )
      .toEqual(['CartValidated', 'CheckoutStarted', 'CheckoutExpired']);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a cart changed and paid in another tab while the first Pay is still on its way: one Stripe page, the changed cart's", async () => {
    const { shop, browser } = suite;
    const email = 'pay-in-flight@example.com';
    const { page, errors } = await newShopper(browser, [shop.url]);
    await openShop(page, shop.url);
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    // The first tab's Pay is held in its browser: the server has not heard of it yet.
    const held = gate();
    const firstSent = new Promise<void>((resolve) => {
      void page.route('**/trpc/checkout.start**', async (route) => {
        resolve();
        await held.opened;
        await route.continue();
      });
    });
    await pressPay(page, email);
    await firstSent;

    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await expectCount(other, 1);
    await other.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(other, 2);
    const secondSent = other.waitForRequest((request) =>
      request.url().includes('/trpc/checkout.start'),
    );
    const secondWaits = expect
      .poll(() => other.evaluate(async () => (await navigator.locks.query()).pending?.length))
      .toBe(1);
    await pressPay(other);
    // Its Pay either went out at once, or waits for the first tab's answer.
    await Promise.race([secondSent, secondWaits]);
    void secondWaits.catch(() => {});

    const firstOnStripe = page.waitForURL(`${shop.test.sandbox.url}/**`, { waitUntil: 'commit' });
    const secondOnStripe = other.waitForURL(`${shop.test.sandbox.url}/**`, { waitUntil: 'commit' });
    held.open();
    await Promise.all([firstOnStripe, secondOnStripe]);
    const first = sessionIdIn(page.url());
    const second = sessionIdIn(other.url());
    expect(second).not.toBe(first);
    await expect.poll(() => shop.test.sandbox.session(first)?.status).toBe('expired');
    const open = sessionsOf(email).filter((session) => session.status === 'open');
    expect(open.map((session) => session.id)).toEqual([second]);
    expect(shop.test.sandbox.session(second)?.amount_total).toBe(
      2 * shop.test.sandbox.session(first)!.amount_total!,
    );
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('where the Locks API is denied (a sandboxed frame, blocked site data), Pay still opens Stripe', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await page.addInitScript(() => {
      LockManager.prototype.request = () =>
        Promise.reject(
          new DOMException('Access to the Locks API is denied in this context.', 'SecurityError'),
        );
    });
    await openShop(page, shop.url);
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await pressPay(page, 'locks-denied@example.com');
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(sessionsOf('locks-denied@example.com')).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("back from the page a changed cart ended, in its own tab: Pay there opens the changed cart's page, not a third", async () => {
    const { shop } = suite;
    const email = 'back-from-replaced@example.com';
    const { page, errors, sessionId: first } = await shirtOnStripe(email);

    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await other.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(other, 2);
    await pressPay(other);
    await other.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(shop.test.sandbox.session(first)?.status).toBe('expired');

    // The first tab leaves its ended page by its link back to the shop.
    await page.reload();
    await page.getByRole('link', { name: 'Return to the shop' }).click();
    await page.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => cartDialog(page).locator('[part="notice"]').first().textContent())
      .toContain('Checkout cancelled');
    await expectCount(page, 2);
    await pressPay(page);
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(page.url()).toBe(other.url());
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a changed cart whose Pay the server turned away (Stripe could not say), changed again: its Pay still ends the first page', async () => {
    const { shop } = suite;
    const email = 'replace-after-503@example.com';
    const { page, sessionId: first } = await shirtOnStripe(email);

    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await other.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(other, 2);
    // Stripe cannot be asked about the first page (a 500, then the package's one retry).
    shop.test.sandbox.failNext('http500', 2);
    await pressPay(other);
    await expect.poll(() => cartDialog(other).locator('[part="error"]').textContent()).not.toBe('');
    expect(shop.test.sandbox.session(first)?.status).toBe('open');

    await other.evaluate(() => document.querySelector('stripe-cart')!.add('ZIDANE-1998'));
    await expectCount(other, 3);
    await pressPay(other);
    await other.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(shop.test.sandbox.session(first)?.status).toBe('expired');
    const open = sessionsOf(email).filter((s) => s.status === 'open');
    expect(open.map((s) => s.id)).toEqual([sessionIdIn(other.url())]);
    await page.context().close();
  });

  test('a cart changed after the first tab paid: Pay shows that paid order, and only what was added is left to pay', async () => {
    const { shop } = suite;
    const { page, errors, sessionId } = await shirtOnStripe('paid-then-more@example.com');
    const orderId = shop.test.sandbox.session(sessionId)!.client_reference_id!;

    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await other.evaluate(() => document.querySelector('stripe-cart')!.add('ZIDANE-1998'));
    await expectCount(other, 2);
    // Paid in the first tab, which is closed before Stripe sends it back.
    await paidInClosedTab(page, orderId, sessionId);

    // Waited for from before the click, on commit: the cart tidies its return query off the
    // address at once, perhaps before the click has returned and before load.
    const back = other.waitForURL(`${shop.url}/?**`, { waitUntil: 'commit' });
    await pressPay(other);
    await back;
    await expect
      .poll(() => cartDialog(other).locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    await expect.poll(() => items(other)).toEqual([{ sku: 'ZIDANE-1998', quantity: 1 }]);
    const sessions = sessionsOf('paid-then-more@example.com');
    expect(sessions).toHaveLength(1);
    // What is left is paid for anew.
    await openShop(other, shop.url);
    await pressPay(other);
    await other.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(sessionIdIn(other.url())).not.toBe(sessions[0]!.id);
    expect(errors).toEqual([]);
    await other.context().close();
  });

  test('Pay pressed in another tab after the first one paid shows the paid order instead of a second payment', async () => {
    const { shop } = suite;
    const { page, errors, sessionId } = await shirtOnStripe('paid-elsewhere@example.com');
    const orderId = shop.test.sandbox.session(sessionId)!.client_reference_id!;
    // Paid there, and that tab closed before Stripe sent it back to the shop. (Before the
    // webhook is in, the other tab's Pay gets Stripe's page, which says it is paid.)
    await paidInClosedTab(page, orderId, sessionId);

    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await expectCount(other, 1);
    // Waited for from before the click, on commit: the cart tidies its return query off the
    // address at once, perhaps before the click has returned and before load.
    const back = other.waitForURL(`${shop.url}/?**`, { waitUntil: 'commit' });
    await pressPay(other);
    await back;
    await expect
      .poll(() => cartDialog(other).locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    await expect.poll(() => items(other)).toEqual([]);
    const heard = await cartEvents(other);
    expect(heard.filter((e) => e.type === 'paid').map((e) => e.detail.orderId)).toEqual([orderId]);
    const sessions = sessionsOf('paid-elsewhere@example.com');
    expect(sessions).toHaveLength(1);
    expect(errors).toEqual([]);
    await other.context().close();
  });

  test("back to a paid order's Stripe page and its return link: what was added since stays, and the payment is not announced again", async () => {
    const { shop } = suite;
    const { page, errors } = await shirtOnStripe('back-again@example.com');
    const stripePage = page.url();
    await payOnSandbox(page, '4242 4242 4242 4242');
    await page.waitForURL(`${shop.url}/**`);
    const status = cartDialog(page).locator('[part="status"]');
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    expect((await cartEvents(page)).filter((e) => e.type === 'paid')).toHaveLength(1);
    // Shopping on, the shopper adds the same shirt again.
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(page, 1);

    await page.goto(stripePage);
    await page.getByRole('link', { name: 'Return to the shop' }).click();
    await page.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    expect(await items(page)).toEqual([{ sku: 'BAGGIO-1994', quantity: 1 }]);
    expect((await cartEvents(page)).filter((e) => e.type === 'paid')).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a cancel the shop could not pass on: Pay goes back to that Stripe page rather than opening a second one', async () => {
    const { shop } = suite;
    const email = 'cancel-lost@example.com';
    const { page, sessionId: first } = await shirtOnStripe(email);
    let cancels = 0;
    await page.route('**/trpc/order.cancel**', (route) => {
      cancels += 1;
      return route.fulfill({ status: 503, contentType: 'application/json', body: '{}' });
    });
    await page.getByRole('link', { name: 'Cancel and return to the shop' }).click();
    await page.waitForURL(`${shop.url}/**`);
    await expect.poll(() => cancels).toBe(1);
    expect(shop.test.sandbox.session(first)?.status).toBe('open');

    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await pressPay(page);
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(sessionIdIn(page.url())).toBe(first);
    const open = sessionsOf(email).filter((s) => s.status === 'open');
    expect(open).toHaveLength(1);
    await page.context().close();
  });

  test('Pay pressed again after the first checkout expired starts a new one at once', async () => {
    const { shop } = suite;
    const { page, errors, sessionId: first } = await shirtOnStripe('expired-first@example.com');
    const orderId = shop.test.sandbox.session(first)!.client_reference_id!;
    await shop.test.sandbox.expire(first);
    await expect
      .poll(async () =>
        (await orderEvents(shop.test.app.services.store, orderId)).map((e) => e.type),
      )
      .toContain('CheckoutExpired');

    await openShop(page, shop.url);
    await pressPay(page);
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(sessionIdIn(page.url())).not.toBe(first);
    // The one refusal on the way: the expired order's checkoutId, sent once more.
    expect(errors).toEqual([expect.stringMatching(/^409 .*\/trpc\/checkout\.start/)]);
    await page.context().close();
  });

  test("a stale Stripe tab's cancel link after the payment went through shows the paid order, not a cart to pay again", async () => {
    const { shop } = suite;
    const email = 'stale-cancel@example.com';
    const { page, sessionId } = await shirtOnStripe(email);
    const orderId = shop.test.sandbox.session(sessionId)!.client_reference_id!;
    // A second tab presses Pay on the same cart: the same Stripe page.
    const other = await page.context().newPage();
    await openShop(other, shop.url);
    await pressPay(other);
    await other.waitForURL(`${shop.test.sandbox.url}/**`);
    expect(sessionIdIn(other.url())).toBe(sessionId);

    // The first tab pays, and is closed before Stripe sends it back.
    await paidInClosedTab(page, orderId, sessionId);

    // The second tab still shows the payment form; the shopper leaves by its cancel link.
    await other.getByRole('link', { name: 'Cancel and return to the shop' }).click();
    await other.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => cartDialog(other).locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    expect(await cartDialog(other).locator('[part="notice"]').allTextContents()).not.toContain(
      expect.stringContaining('Checkout cancelled'),
    );
    // The paid shirt left the cart: nothing is left to pay a second time.
    await expect.poll(() => items(other)).toEqual([]);
    expect(sessionsOf(email)).toHaveLength(1);
    await other.context().close();
  });
});
