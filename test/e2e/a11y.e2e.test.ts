/**
 * What assistive technology and low-vision shoppers meet: where focus goes, what the cart
 * button is called, contrast, in the default theme and a dark one, and the panel at 400% zoom.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { newShopper, servePage, skipE2E } from './support/browser';
import {
  accessibleName,
  cartButton,
  cartDialog,
  cartLine,
  euros,
  expectCount,
  focused,
} from './support/cart';
import { contrasts, focusRing, type Measured } from './support/contrast';
import { demoCatalog, shopInChromium } from './support/shop';

const product = (sku: string) => demoCatalog().find((p) => p.sku === sku)!;

const MODULE = '<script type="module" src="/widget/stripe-cart.js"></script>';

/** The demo shop with one Baggio in the cart and the cart open. */
async function openCartWithBaggio(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
  await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
  await expectCount(page, 1);
  await cartButton(page).click();
}

describe.skipIf(skipE2E())('accessibility in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('adding past a cap says which cap: only N left for stock, the quantity held for 99 of a sku', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    const said = async () =>
      (await page.locator('stripe-cart .sr[role="status"]').allTextContents()).join(' ').trim();
    const plenty = product('BAGGIO-1994');
    await shop.test.admin.admin.adjustStock.mutate({
      sku: plenty.sku,
      delta: 150,
      reason: 'a11y cap test',
    });
    try {
      await page.goto(`${shop.url}/`);
      await page.locator(`stripe-cart-add[sku="${plenty.sku}"] .price`).waitFor();
      await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994', 99));
      await expectCount(page, 99);
      await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994', 1));
      await expect.poll(said).toBe(`${plenty.name}: 99 in the cart.`);

      const scarce = demoCatalog().find((p) => p.stock < 99 && p.sku !== plenty.sku)!;
      await page.evaluate(
        ([sku, n]) => document.querySelector('stripe-cart')!.add(sku!, Number(n)),
        [scarce.sku, String(scarce.stock + 1)],
      );
      await expect.poll(said).toBe(`${scarce.name}: Only ${scarce.stock} left`);
      expect(errors).toEqual([]);
    } finally {
      await shop.test.admin.admin.adjustStock.mutate({
        sku: plenty.sku,
        delta: -150,
        reason: 'a11y cap test done',
      });
      await page.context().close();
    }
  });

  /** Lists a product of `stock` units and opens a new shopper's cart with one of it. */
  async function cartWithNew(sku: string, stock: number) {
    const { shop, browser } = suite;
    const listed = { sku, name: `Scarce ${sku}`, unitAmount: 2500, currency: 'eur', stock };
    await shop.test.admin.admin.listProduct.mutate(listed);
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/${sku}`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart>
      <stripe-cart-add sku="${sku}"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/${sku}`);
    await page.locator(`stripe-cart-add .price`).waitFor();
    await page.evaluate((s) => document.querySelector('stripe-cart')!.add(s), sku);
    await expectCount(page, 1);
    await cartButton(page).click();
    return { page, errors, name: listed.name, line: cartLine(page, listed.name) };
  }

  test('a quantity typed past the stock is lowered to it, and the shopper is told why', async () => {
    const { page, errors, name, line } = await cartWithNew('SCARCE-TYPED', 3);
    const said = () => page.locator('stripe-cart dialog .sr[role="status"]').textContent();
    const quantity = line.getByRole('spinbutton');
    const typed = async (value: string) => {
      await quantity.fill(value);
      await quantity.press('Enter');
    };
    await typed('7');
    await expect.poll(said).toBe(`${name}: Only 3 left`);
    expect(await quantity.inputValue()).toBe('3');
    await expectCount(page, 3);
    await line.getByRole('button', { name: `One less ${name}` }).click();
    await expect.poll(said).toBe(`${name}: 2 in the cart.`);
    // Typed past it from 2 (raised to the 3 left) and from 3 (nothing to change): said both times.
    await typed('9');
    await expect.poll(said).toBe(`${name}: Only 3 left`);
    await line.getByRole('button', { name: `One less ${name}` }).click();
    await typed('3');
    await expect.poll(said).toBe(`${name}: 3 in the cart.`);
    await typed('4');
    await expect.poll(said).toBe(`${name}: Only 3 left`);
    expect(await quantity.inputValue()).toBe('3');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a line's one-click fix is named with its product, as the line's other buttons are", async () => {
    const { shop } = suite;
    const { page, errors, name, line } = await cartWithNew('SCARCE-FIX', 5);
    await page.evaluate(() => document.querySelector('stripe-cart')!.setQuantity('SCARCE-FIX', 3));
    await expectCount(page, 3);
    await shop.test.admin.admin.adjustStock.mutate({
      sku: 'SCARCE-FIX',
      delta: -3,
      reason: 'fix name test',
    });
    const fix = line.locator('[part="fix"]');
    await expect.poll(() => fix.count()).toBe(1);
    expect(await accessibleName(fix)).toBe(`Reduce to 2 ${name}`);
    // On screen it says only what it does, beside the problem the line shows.
    expect((await fix.textContent())?.trim()).toMatch(/^Reduce to 2\b/);
    expect(await fix.getByText(name).boundingBox()).toMatchObject({ width: 1, height: 1 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('in forced colours (Windows High Contrast) the pay and add buttons and the panel keep an edge', async () => {
    const { page, errors } = await cartWithNew('SCARCE-FORCED', 5);
    await page.emulateMedia({ forcedColors: 'active' });
    // Forced colours paint every fill the same system colour: only a border or outline, which
    // they paint in the text colour even when transparent, still shows where each one ends.
    const edge = (locator: Locator) =>
      locator.evaluate((el) => {
        const style = getComputedStyle(el);
        const side = (width: string, line: string, colour: string) =>
          Number.parseFloat(width) > 0 && line !== 'none' && colour !== 'rgba(0, 0, 0, 0)';
        return (
          side(style.outlineWidth, style.outlineStyle, style.outlineColor) ||
          side(style.borderLeftWidth, style.borderLeftStyle, style.borderLeftColor)
        );
      });
    expect({
      pay: await edge(cartDialog(page).locator('[part="checkout"]')),
      panel: await edge(cartDialog(page)),
      add: await edge(page.locator('stripe-cart-add button')),
    }).toEqual({ pay: true, panel: true, add: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('Shift+Tab from the dialog title stays in the dialog', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await openCartWithBaggio(page, shop.url);
    // Opening the cart (like Remove and a one-click fix) puts focus on the title.
    await expect.poll(async () => (await focused(page)).tag).toBe('h2');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatchObject({ name: 'Pay with card', inDialog: true });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ name: 'Close', inDialog: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('focus stays on the pay button while checkout starts and after it fails', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    await page.route('**/trpc/checkout.start**', async (route) => {
      calls += 1;
      await held;
      await route.fulfill({ status: 429, contentType: 'application/json', body: '{}' });
    });
    await openCartWithBaggio(page, shop.url);
    await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
    const pay = cartDialog(page).locator('[part="checkout"]');
    await pay.click();
    await expect.poll(() => pay.getAttribute('aria-disabled')).toBe('true');
    expect(await focused(page)).toMatchObject({ name: 'Starting checkout…', inDialog: true });
    // Still one checkout however often the shopper presses.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');

    release();
    await expect
      .poll(() => cartDialog(page).locator('[part="error"]').textContent())
      .toContain('Too many attempts');
    expect(await pay.getAttribute('aria-disabled')).toBe('false');
    expect(await focused(page)).toMatchObject({ name: 'Pay with card', inDialog: true });
    expect(calls).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/^429 .*\/trpc\/checkout\.start/)]);
    await page.context().close();
  });

  test('an email the server refuses takes focus to the field, which says what is wrong', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await openCartWithBaggio(page, shop.url);
    // Well-formed enough for the cart's own check; the server's is stricter.
    const email = cartDialog(page).getByLabel('Email for the receipt');
    await email.fill('fan@example.c');
    await cartDialog(page).locator('[part="checkout"]').press('Enter');
    await expect
      .poll(() => focused(page))
      .toMatchObject({ tag: 'input', name: 'Email for the receipt', inDialog: true });
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    const description = await email.getAttribute('aria-describedby');
    expect(await cartDialog(page).locator(`#${description}`).textContent()).toBe(
      'Enter a valid email address.',
    );
    await page.context().close();
  });

  test("each add button's name says which product it adds, a site's own label too", async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/buttons`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart>
      <stripe-cart-add sku="PELE-1958"></stripe-cart-add>
      <stripe-cart-add sku="BAGGIO-1994">Buy it</stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/buttons`);
    const pele = page.locator('stripe-cart-add[sku="PELE-1958"] button');
    const baggio = page.locator('stripe-cart-add[sku="BAGGIO-1994"] button');
    await expect
      .poll(() => accessibleName(pele))
      .toBe(`Add to cart ${product('PELE-1958').name} ${euros(product('PELE-1958').unitAmount)}`);
    expect(await accessibleName(baggio)).toBe(
      `Buy it ${product('BAGGIO-1994').name} ${euros(product('BAGGIO-1994').unitAmount)}`,
    );
    // The name is for screen readers only: on screen the button shows its label and price.
    const hidden = await pele.getByText(product('PELE-1958').name).boundingBox();
    expect(hidden).toMatchObject({ width: 1, height: 1 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("the cart button is named by its visible label, the site's own too, then the count", async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/labels`,
      `<html lang="en">${MODULE}<stripe-cart id="basket" api="/">Basket</stripe-cart>
      <div lang="it"><stripe-cart id="carrello" api="/"></stripe-cart></div></html>`,
    );
    await page.goto(`${shop.url}/labels`);
    const basket = page.locator('#basket .trigger');
    await basket.waitFor();
    expect(await accessibleName(basket)).toBe('Basket, 0 items');
    expect(await accessibleName(page.locator('#carrello .trigger'))).toBe('Carrello, 0 articoli');
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expect.poll(() => accessibleName(basket)).toBe('Basket, 1 item');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('in a dark theme every text is readable and nothing keeps a light fill', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await page.route('**/trpc/checkout.start**', (route) =>
      route.fulfill({ status: 429, contentType: 'application/json', body: '{}' }),
    );
    await servePage(
      page,
      `${shop.url}/dark`,
      `<html lang="en"><style>
        body { background: #16181d; }
        stripe-cart, stripe-cart-add {
          --stripe-cart-background: #16181d; --stripe-cart-text: #eceef2;
          --stripe-cart-muted: #a3a9b6; --stripe-cart-border: #3a3f4b;
          --stripe-cart-danger: #ff8a80; --stripe-cart-success: #6ee7a8;
        }
      </style>${MODULE}<stripe-cart api="/"></stripe-cart></html>`,
    );
    await page.goto(`${shop.url}/dark`);
    // A card still for sale and one the shop no longer has (no image: the placeholder).
    await page.evaluate(() =>
      localStorage.setItem(
        `stripe-cart:v1:${location.origin}`,
        JSON.stringify({
          lines: [
            { sku: 'BAGGIO-1994', quantity: 1 },
            { sku: 'NOT-SOLD-HERE', quantity: 1 },
          ],
          email: 'shopper@example.com',
        }),
      ),
    );
    /** The texts below 4.5:1 (WCAG 1.4.3), after checking `text` was among those measured. */
    const unreadable = async (text: string) => {
      const measured = await contrasts(page.locator('stripe-cart'), 'text');
      expect(measured.map((m) => m.what)).toContain(text);
      return measured.filter((m) => m.ratio < 4.5);
    };
    // Back from a cancelled checkout (a notice), then a refused one (an error).
    await page.goto(`${shop.url}/dark?stripe_cart=cancel&stripe_cart_order=o-1`);
    await cartDialog(page).locator('li.line [part="issue"]').waitFor();
    expect(await unreadable('Checkout cancelled. Your cart is still here.')).toEqual([]);
    await cartDialog(page).locator('[part="checkout"]').click();
    await cartDialog(page).locator('[part="error"]:not([hidden])').waitFor();
    expect(await unreadable('Too many attempts. Please wait a minute and try again.')).toEqual([]);
    const style = (selector: string, property: 'backgroundColor' | 'color') =>
      cartDialog(page)
        .locator(selector)
        .first()
        .evaluate((el, property) => getComputedStyle(el)[property], property);
    expect(await style('.ph', 'backgroundColor')).toBe('rgb(58, 63, 75)');
    expect(await style('.stepper button[aria-disabled="true"]', 'color')).toBe(
      'rgb(236, 238, 242)',
    );
    expect(errors).toEqual([expect.stringMatching(/^429 .*\/trpc\/checkout\.start/)]);
    await page.context().close();
  });

  test("default theme: the price on the add button and the fields' outlines have contrast", async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    // The widget's own colours: the demo shop has a theme of its own.
    await servePage(
      page,
      `${shop.url}/plain`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/plain`);
    const add = page.locator('stripe-cart-add');
    await add.locator('.price').waitFor();
    await add.getByRole('button').click();
    await cartButton(page).click();
    // Text at 4.5:1 (WCAG 1.4.3); a field's only boundary at 3:1 (1.4.11).
    const texts = await contrasts(add, 'text');
    expect(texts.map((m) => m.what)).toEqual(['Add to cart', '€45.00']);
    expect(texts.filter((m) => m.ratio < 4.5)).toEqual([]);
    for (const field of ['input[type="email"]', '[part="stepper"]']) {
      const [border] = await contrasts(cartDialog(page).locator(field), 'border');
      expect(border!.ratio, field).toBeGreaterThanOrEqual(3);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('<stripe-cart-add> draws its focus ring in the accent, as the cart does', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/ring`,
      `<html lang="en"><style>:root { --stripe-cart-accent: rgb(15, 81, 50); }
      #own { --stripe-cart-focus-ring: rgb(200, 0, 0); }</style>
      ${MODULE}<stripe-cart api="/"></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994"></stripe-cart-add>
      <stripe-cart-add id="own" sku="PELE-1958"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/ring`);
    await page.locator('stripe-cart-add[sku="PELE-1958"] .price').waitFor();
    const ring = () =>
      page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el ? getComputedStyle(el).outlineColor : '';
      });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await ring()).toBe('rgb(15, 81, 50)');
    await page.keyboard.press('Tab');
    expect(await ring()).toBe('rgb(200, 0, 0)');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('the demo shop: every focus ring has 3:1 against what it is drawn on, page and cart', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add .price').first().waitFor();
    /** The ring of each of the next `stops` Tab stops (WCAG 1.4.11 asks 3:1 of it). */
    const tabThrough = async (stops: number) => {
      const rings: Measured[] = [];
      for (let i = 0; i < stops; i += 1) {
        await page.keyboard.press('Tab');
        const ring = await focusRing(page);
        if (ring) rings.push(ring);
      }
      return rings;
    };
    // The header (brand, languages, cart button), the hero's two buttons, two add buttons.
    const onPage = await tabThrough(8);
    expect(onPage.map((r) => r.what)).toEqual([
      expect.stringMatching(/^a "Golden Goal/),
      'a "English"',
      'a "Italiano"',
      expect.stringMatching(/^button "Cart/),
      'button "Add Baggio to the cart"',
      'button "Add the 1974 pair"',
      expect.stringMatching(/^button "Add to cart/),
      expect.stringMatching(/^button "Add to cart/),
    ]);
    expect(onPage.filter((r) => r.ratio < 3)).toEqual([]);

    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(page, 1);
    await cartButton(page).click();
    // Quantity, one more, Remove, email, pay, close (one less is disabled at 1): on the panel's white.
    const inCart = await tabThrough(7);
    expect(inCart).toHaveLength(6);
    expect(inCart.filter((r) => r.ratio < 3)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('the demo shop names its language links in full, each in its own language', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    const nav = page.getByRole('navigation', { name: 'Language' });
    for (const [name, lang, shown] of [
      ['English', 'en', 'EN'],
      ['Italiano', 'it', 'IT'],
    ] as const) {
      const link = nav.getByRole('link', { name, exact: true });
      expect(await link.getAttribute('lang')).toBe(lang);
      // The visible label starts the name (WCAG 2.5.3, label in name).
      expect(await link.textContent()).toBe(shown);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('selecting the email text with the mouse and letting go over the backdrop does not close the cart', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.add('BAGGIO-1994');
      cart.open();
    });
    const email = cartDialog(page).getByLabel('Email for the receipt');
    await email.fill('someone@example.com');
    const box = (await email.boundingBox())!;
    // Press at the end of the text, drag left past the panel's edge, release on the backdrop.
    await page.mouse.move(box.x + box.width - 5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 100, box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
    // Whatever the release did (a click closes the dialog at once) has been rendered.
    await page.evaluate(() => document.querySelector('stripe-cart')!.updateComplete);
    expect(await cartDialog(page).isVisible()).toBe(true);
    // A click on the backdrop itself still closes it.
    await page.mouse.click(box.x - 100, box.y + box.height / 2);
    await expect.poll(() => cartDialog(page).isVisible()).toBe(false);
    await page.context().close();
  });

  /** A page with only the cart, at `width` x `height`, open on one line. */
  async function openOneLineCart(path: string, width: number, height: number) {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await page.setViewportSize({ width, height });
    await servePage(
      page,
      `${shop.url}/${path}`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart></html>`,
    );
    await page.goto(`${shop.url}/${path}`);
    await cartButton(page).waitFor();
    await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      cart.add('BAGGIO-1994');
      cart.open();
    });
    await cartDialog(page).locator('[part="line-total"]:has-text("€")').waitFor();
    return page;
  }

  test('320 px wide (400% zoom): every control of a cart line fits in the panel, nothing scrolls sideways', async () => {
    const page = await openOneLineCart('narrow', 320, 568);
    const layout = await page.evaluate(() => {
      const root = document.querySelector('stripe-cart')!.shadowRoot!;
      const body = root.querySelector<HTMLElement>('.body')!;
      const panel = body.getBoundingClientRect();
      const out = [...root.querySelectorAll<HTMLElement>('li.line button, li.line input')]
        .filter((el) => {
          const box = el.getBoundingClientRect();
          return box.right > panel.right + 0.5 || box.left < panel.left - 0.5;
        })
        .map((el) => el.getAttribute('aria-label') ?? el.textContent);
      return { out, sideways: body.scrollWidth > body.clientWidth };
    });
    expect(layout).toEqual({ out: [], sideways: false });
    await page.context().close();
  });

  test('320 x 256 (400% zoom of 1280 x 1024): the cart line is not squeezed into a sliver', async () => {
    const page = await openOneLineCart('short', 320, 256);
    // The region the lines scroll in must show at least one whole line (scrolling the panel
    // for the rest, as WCAG 1.4.10 allows), not a 16 px slot.
    const sizes = await page.evaluate(() => {
      const root = document.querySelector('stripe-cart')!.shadowRoot!;
      const body = root.querySelector<HTMLElement>('.body')!;
      const line = root.querySelector<HTMLElement>('li.line')!;
      return { body: body.clientHeight, line: line.offsetHeight };
    });
    expect(sizes.body).toBeGreaterThanOrEqual(sizes.line);
    // The panel scrolls as a whole: the pay button is there below.
    const pay = cartDialog(page).locator('[part="checkout"]');
    await pay.scrollIntoViewIfNeeded();
    expect(await pay.isVisible()).toBe(true);
    await page.context().close();
  });
});
