/**
 * The elements as frameworks treat them: moved in the page, configured from script after
 * they are connected, and an order view dismissed before the order ends. Live feeds follow.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { newShopper, skipE2E } from './support/browser';
import { cartButton, cartDialog, cartLine, euros, expectCount } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const product = (sku: string) => demoCatalog().find((p) => p.sku === sku)!;

/** Records the page's EventSources (the widget's live feeds) that are still open. */
async function recordStreams(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const open = new Set<EventSource>();
    window.EventSource = class extends EventSource {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        open.add(this);
      }
      override close(): void {
        open.delete(this);
        super.close();
      }
    };
    Object.assign(window, { openStreams: () => [...open].map((s) => s.url) });
  });
  return () =>
    page.evaluate(() => (window as unknown as { openStreams: () => string[] }).openStreams());
}

describe.skipIf(skipE2E())(
  'the elements moved and configured late, in Chromium',
  { timeout: 60_000 },
  () => {
    const suite = shopInChromium();

    test('a cart moved in the page still hears stock changes and the other tabs', async () => {
      const { shop, browser } = suite;
      const { page, errors } = await newShopper(browser, [shop.url]);
      const other = await page.context().newPage();
      await Promise.all([page.goto(`${shop.url}/`), other.goto(`${shop.url}/`)]);
      await page.locator('stripe-cart-add[sku="CRUYFF-1974"] .price').waitFor();
      await page.evaluate(() => document.querySelector('stripe-cart')!.add('CRUYFF-1974', 2));
      await expectCount(other, 2);

      // What a framework does when it re-parents a component: disconnect, then connect again.
      await page.evaluate(() => document.body.append(document.querySelector('stripe-cart')!));
      await other.evaluate(() =>
        document.querySelector('stripe-cart')!.setQuantity('CRUYFF-1974', 3),
      );
      await expectCount(page, 3);

      await cartButton(page).click();
      await shop.test.admin.admin.adjustStock.mutate({
        sku: 'CRUYFF-1974',
        delta: 1 - product('CRUYFF-1974').stock,
        reason: 'lifecycle test',
      });
      await expect
        .poll(() =>
          cartLine(page, product('CRUYFF-1974').name).locator('[part="issue"]').textContent(),
        )
        .toContain('Only 1 left');

      // Removed for good, it stops listening: another tab's change reaches it no more.
      await page.evaluate(() => {
        const cart = document.querySelector('stripe-cart')!;
        cart.remove();
        const reasons: string[] = [];
        cart.addEventListener('stripe-cart:change', (e) => reasons.push(e.detail.reason));
        // Registered after the cart's own listener: once this one has run, the cart's would have.
        window.addEventListener('storage', () => Object.assign(window, { storageSeen: true }));
        Object.assign(window, { removedCartHeard: reasons });
      });
      await other.evaluate(() =>
        document.querySelector('stripe-cart')!.setQuantity('CRUYFF-1974', 1),
      );
      await expectCount(other, 1);
      await page.waitForFunction(
        () => (window as unknown as { storageSeen?: boolean }).storageSeen,
      );
      expect(
        await page.evaluate(
          () => (window as unknown as { removedCartHeard: string[] }).removedCartHeard,
        ),
      ).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test('<stripe-cart-add> follows an api set from script and shows a changed sku at once', async () => {
      const { shop, browser } = suite;
      const { page, errors } = await newShopper(browser, [shop.url]);
      // A page with the button alone: no <stripe-cart api> for it to borrow the server from.
      await page.route(`${shop.url}/bare`, (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><html lang="en"><script type="module" src="/widget/stripe-cart.js"></script>
          <stripe-cart-add sku="ZIDANE-1998"></stripe-cart-add></html>`,
        }),
      );
      await page.goto(`${shop.url}/bare`);
      const add = page.locator('stripe-cart-add');
      await add.locator('button').waitFor();
      expect(await add.locator('.price').count()).toBe(0);

      await page.evaluate((api) => {
        document.querySelector('stripe-cart-add')!.api = api;
      }, shop.url);
      await expect
        .poll(() => add.locator('.price').allTextContents())
        .toEqual([euros(product('ZIDANE-1998').unitAmount)]);

      await page.evaluate(() => {
        document.querySelector('stripe-cart-add')!.sku = 'RONALDO-2002';
      });
      await expect
        .poll(() => add.locator('.price').allTextContents(), { timeout: 2_000 })
        .toEqual([euros(product('RONALDO-2002').unitAmount)]);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test('"Continue" on an order still processing closes its live status stream', async () => {
      const { shop, browser } = suite;
      const { page, errors } = await newShopper(browser, [shop.url]);
      const openStreams = await recordStreams(page);
      // An order that stays unpaid: started, never paid on the Stripe page.
      const { orderId } = await shop.test.client.checkout.start.mutate({
        checkoutId: crypto.randomUUID(),
        items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
        email: 'shopper@example.com',
        returnUrl: `${shop.url}/`,
      });
      await page.goto(`${shop.url}/?stripe_cart=success&stripe_cart_order=${orderId}`);
      await expect
        .poll(() => cartDialog(page).locator('[part="status"]').textContent())
        .toContain('Confirming your payment');
      const watching = () =>
        openStreams().then((urls) => urls.filter((u) => u.includes('order.watch')));
      expect(await watching()).toHaveLength(1);

      await cartDialog(page).getByRole('button', { name: 'Continue shopping' }).click();
      await expect.poll(() => cartDialog(page).isVisible()).toBe(false);
      expect(await watching()).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test('a cart moved in the page while open (a framework re-rendering the header) stays a modal dialog', async () => {
      const { shop, browser } = suite;
      const { page, errors } = await newShopper(browser, [shop.url]);
      await page.goto(`${shop.url}/`);
      await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
      await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
      await cartButton(page).click();
      await expect.poll(() => cartDialog(page).isVisible()).toBe(true);
      await page.evaluate(() => {
        const cart = document.querySelector('stripe-cart')!;
        const parent = cart.parentElement!;
        parent.append(cart);
      });
      await page.evaluate(() => document.querySelector('stripe-cart')!.updateComplete);
      const state = () =>
        page.evaluate(() => {
          const dialog = document
            .querySelector('stripe-cart')!
            .shadowRoot!.querySelector('dialog')!;
          return { open: dialog.open, modal: dialog.matches(':modal') };
        });
      // Still the modal slide-over (not a box in the page), still open for the cart itself.
      await expect.poll(state).toEqual({ open: true, modal: true });
      expect(
        await page.evaluate(() => document.querySelector('stripe-cart')!.hasAttribute('open')),
      ).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(async () => (await state()).open).toBe(false);
      await expect
        .poll(() =>
          page.evaluate(() => document.querySelector('stripe-cart')!.hasAttribute('open')),
        )
        .toBe(false);
      expect(errors).toEqual([]);
      await page.context().close();
    });
  },
);
