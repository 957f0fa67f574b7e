/**
 * What a screen-reader shopper hears from the cart's live regions
 * (WCAG 4.1.3 Status Messages; widget/README.md "Changes are announced politely").
 */
import { describe, expect, test } from 'vitest';
import { announcements, recordAnnouncements, slowFrames, twoFrames } from './support/announcements';
import { newShopper, servePage, skipE2E } from './support/browser';
import { cartDialog, expectCount, focused } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const MODULE = '<script type="module" src="/widget/stripe-cart.js"></script>';

const nameOf = (sku: string) => demoCatalog().find((p) => p.sku === sku)!.name;
const baggio = nameOf('BAGGIO-1994');

describe.skipIf(skipE2E())('live announcements, as heard', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('pressing "Add to cart" twice for the same product is announced twice', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await recordAnnouncements(page);
    await page.goto(`${shop.url}/`);
    const add = page.locator('stripe-cart-add[sku="BAGGIO-1994"] button');
    await add.locator('.price').waitFor();
    await add.press('Enter');
    await expectCount(page, 1);
    await expect.poll(() => announcements(page)).toEqual([`${baggio} added to the cart.`]);
    await add.press('Enter');
    await expectCount(page, 2);
    await twoFrames(page);
    await twoFrames(page);
    // The second press must be confirmed too, or the shopper cannot tell it worked.
    await expect
      .poll(() => announcements(page))
      .toEqual([`${baggio} added to the cart.`, `${baggio} added to the cart.`]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a cart with the `hidden` attribute (opened from the site's own button) still announces adds", async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await recordAnnouncements(page);
    await servePage(
      page,
      `${shop.url}/own-button`,
      `<html lang="en">${MODULE}
      <button id="mine" type="button" onclick="document.querySelector('stripe-cart').open()">My basket</button>
      <stripe-cart api="/" hidden></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/own-button`);
    const add = page.locator('stripe-cart-add[sku="BAGGIO-1994"] button');
    await add.locator('.price').waitFor();
    await add.click();
    await expect
      .poll(() => page.evaluate(() => document.querySelector('stripe-cart')!.items.length))
      .toBe(1);
    await expect.poll(() => announcements(page)).toEqual([`${baggio} added to the cart.`]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('Enter in an invalid email field says what is wrong (focus is already there)', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await recordAnnouncements(page);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.add('BAGGIO-1994');
      cart.open();
    });
    const email = cartDialog(page).getByLabel('Email for the receipt');
    await email.fill('not-an-email');
    // Each time focus comes to a field, with the field's state then (read out with it).
    await page.evaluate(() => {
      const log: string[] = [];
      Object.assign(window, { focusLog: log });
      document.addEventListener('focusin', (event) => {
        const target = event.composedPath()[0] as Element;
        log.push(`${target.id}:${target.getAttribute('aria-invalid')}`);
      });
    });
    await email.press('Enter');
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await focused(page)).toMatchObject({ tag: 'input', inDialog: true });
    await twoFrames(page);
    await twoFrames(page);
    // Focus did not move (it was on the field), so nothing reads the new description: a live
    // region must say it, or focus come to the field again (read with its error).
    const heard = async () => {
      const refocused = await page.evaluate(() =>
        (window as unknown as { focusLog: string[] }).focusLog.includes('email:true'),
      );
      return refocused || (await announcements(page)).includes('Enter a valid email address.');
    };
    await expect.poll(heard, { timeout: 3_000 }).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('back from a cancelled checkout, the panel\'s "Checkout cancelled" is announced', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await recordAnnouncements(page);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(page, 1);
    await page.goto(`${shop.url}/?stripe_cart=cancel&stripe_cart_order=o-1`);
    await cartDialog(page).locator('[part="notice"]').waitFor();
    // Focus lands on the title ("Your cart"); the notice under it is the news.
    await expect.poll(async () => (await focused(page)).tag).toBe('h2');
    await twoFrames(page);
    await twoFrames(page);
    // Said by a live region, or as the dialog's description when focus enters it.
    const cdp = await page.context().newCDPSession(page);
    const notice = 'Checkout cancelled. Your cart is still here.';
    const heard = async () => {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
        nodes: { role?: { value: string }; description?: { value: string } }[];
      };
      const dialog = nodes.find((n) => n.role?.value === 'dialog');
      return {
        said: (await announcements(page)).includes(notice),
        described: (dialog?.description?.value ?? '').includes(notice),
      };
    };
    await expect
      .poll(async () => Object.values(await heard()).some(Boolean), { timeout: 3_000 })
      .toBe(true);
    await page.context().close();
  });
  test('on a page that renders less often than the pause, the cancelled notice is still said', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    // The live region must be seen empty in a rendered frame before its text comes, or the
    // text is read as already there (not announced); a 99 ms timer alone is not a frame.
    await slowFrames(page, 250);
    await recordAnnouncements(page);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(page, 1);
    await page.goto(`${shop.url}/?stripe_cart=cancel&stripe_cart_order=o-1`);
    await cartDialog(page).locator('[part="notice"]').waitFor();
    await expect
      .poll(() => announcements(page), { timeout: 5_000 })
      .toEqual(['Checkout cancelled. Your cart is still here.']);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
