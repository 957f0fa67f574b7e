/**
 * The elements in the page's language and script: a right-to-left page, a locale with its
 * own digits, texts in another language than the page's, and a page that changes its
 * language after load.
 */
import { describe, expect, test } from 'vitest';
import { newShopper, servePage, skipE2E } from './support/browser';
import { accessibleName, cartButton, cartDialog } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const MODULE = '<script type="module" src="/widget/stripe-cart.js"></script>';

describe.skipIf(skipE2E())('languages and scripts in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('on a right-to-left page the panel opens from the left, its shadow towards the page', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await page.setViewportSize({ width: 1000, height: 700 });
    await servePage(
      page,
      `${shop.url}/rtl`,
      `<html lang="en" dir="rtl">${MODULE}<stripe-cart api="/"></stripe-cart></html>`,
    );
    await page.goto(`${shop.url}/rtl`);
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await cartButton(page).waitFor();
    const panel = cartDialog(page);
    // Where its slide-in starts (off the left edge), held there, then where it ends.
    const start = await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.open();
      const dialog = cart.shadowRoot!.querySelector('dialog')!;
      const [slide] = dialog.getAnimations();
      slide!.pause();
      slide!.currentTime = 0;
      return dialog.getBoundingClientRect().left;
    });
    expect(start).toBe(-420);
    await panel.evaluate((el) => el.getAnimations()[0]!.finish());
    expect(await panel.evaluate((el) => el.getBoundingClientRect().left)).toBe(0);
    // Its shadow falls on the page, right of the panel, not off the screen's edge.
    expect(await panel.evaluate((el) => getComputedStyle(el).boxShadow)).toMatch(/\) 8px 0px 32px/);
    // A line's total sits at the line's end: its left, here.
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    const total = panel.locator('[part="line-total"]');
    await expect.poll(() => total.textContent()).toMatch(/\d/);
    expect(await total.evaluate((el) => getComputedStyle(el).textAlign)).toBe('end');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("counts are written in the locale's digits: Arabic-Indic ones in ar-EG", async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/digits`,
      `<html lang="ar-EG" dir="rtl">${MODULE}<stripe-cart api="/"></stripe-cart></html>`,
    );
    await page.goto(`${shop.url}/digits`);
    await cartButton(page).waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994', 3));
    const three = (3).toLocaleString('ar-EG');
    expect(three).not.toBe('3');
    const badge = page.locator('stripe-cart [part="badge"]');
    await expect.poll(() => badge.textContent()).toBe(three);
    expect(await accessibleName(cartButton(page))).toBe(`Cart, ${three} items`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('texts in another language than the page are marked with theirs, for screen readers to voice', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    // French has no texts in the widget (English shows); one cart asks for Italian; one has
    // the site's own texts, taken to be in the page's language.
    await servePage(
      page,
      `${shop.url}/marked`,
      `<html lang="fr">${MODULE}<stripe-cart id="en" api="/"></stripe-cart>
      <stripe-cart id="it" api="/" locale="it"></stripe-cart>
      <stripe-cart id="own" api="/" messages='{"title":"Votre panier"}'></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/marked`);
    await page.locator('stripe-cart-add .price').waitFor();
    // The language the browser gives each text (what a screen reader voices it in).
    const languages = await page.evaluate(() => {
      const language = (el: Element) => ['en', 'it', 'fr'].find((l) => el.matches(`:lang(${l})`));
      const parts = (selector: string) => {
        const root = document.querySelector(selector)!.shadowRoot!;
        return [
          ...root.querySelectorAll(
            '.trigger slot > span, .trigger .sr, [role="status"], h2, button[part="button"] slot > span',
          ),
        ]
          .map(language)
          .join(' ');
      };
      return {
        en: parts('#en'),
        it: parts('#it'),
        own: parts('#own'),
        add: parts('stripe-cart-add'),
      };
    });
    expect(languages).toEqual({
      en: 'en en en en en',
      it: 'it it it it it',
      own: 'fr fr fr fr fr',
      add: 'en',
    });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("the site's own labels and the shop's product names keep the page's language", async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/labels`,
      `<html lang="fr">${MODULE}<stripe-cart api="/"><span id="cart-label">Panier</span></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994"><span id="add-label">Ajouter</span></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/labels`);
    await page.locator('stripe-cart-add .price').waitFor();
    await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.add('BAGGIO-1994');
      cart.open();
    });
    const name = cartDialog(page).locator('[part="name"]');
    await name.waitFor();
    // What a screen reader voices each in: the nearest lang up the flat tree (slots, shadow hosts).
    const flatLang = (selector: string) =>
      page.evaluate((selector) => {
        const find = (root: Document | ShadowRoot): Element | null =>
          root.querySelector(selector) ??
          [...root.querySelectorAll('stripe-cart, stripe-cart-add')]
            .map((host) => (host.shadowRoot ? find(host.shadowRoot) : null))
            .find(Boolean) ??
          null;
        let node: Node | null = find(document);
        while (node) {
          if (node instanceof Element && node.hasAttribute('lang'))
            return node.getAttribute('lang');
          node = (node as Element).assignedSlot ?? node.parentNode;
          if (node instanceof ShadowRoot) node = node.host;
        }
        return null;
      }, selector);
    expect({
      cartLabel: await flatLang('#cart-label'),
      addLabel: await flatLang('#add-label'),
      name: await flatLang('[part="name"]'),
      title: await flatLang('h2'),
    }).toEqual({ cartLabel: 'fr', addLabel: 'fr', name: 'fr', title: 'en' });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a page that changes its lang after load (a language switch without reload) is followed', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/switch`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/switch`);
    const add = page.locator('stripe-cart-add button');
    await page.locator('stripe-cart-add .price').waitFor();
    expect(await cartButton(page).textContent()).toContain('Cart');
    await page.evaluate(() => {
      document.documentElement.lang = 'it';
    });
    await expect.poll(() => cartButton(page).textContent()).toContain('Carrello');
    await expect.poll(() => add.textContent()).toContain('Aggiungi al carrello');
    const price = demoCatalog().find((p) => p.sku === 'BAGGIO-1994')!.unitAmount;
    expect(await page.locator('stripe-cart-add .price').textContent()).toBe(
      new Intl.NumberFormat('it', { style: 'currency', currency: 'EUR' }).format(price / 100),
    );
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
