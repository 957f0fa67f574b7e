/**
 * The elements in pages as site owners write them: two carts (header and mobile menu), the
 * buttons before any cart, hidden elements, and a product delisted while in a cart.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { StripeCart } from '../../widget/stripe-cart';
import { widgetDir } from '../widget/build-widget';
import { cartEvents, newShopper, servePage, skipE2E } from './support/browser';
import { cartButton, cartDialog, cartLine, euros, expectCount } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const product = (sku: string) => demoCatalog().find((p) => p.sku === sku)!;
const MODULE = '<script type="module" src="/widget/stripe-cart.js"></script>';

/** The texts of the live regions of every <stripe-cart> that is rendered at all. */
const renderedAnnouncements = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('stripe-cart')]
      .filter((cart) => cart.checkVisibility())
      .flatMap((cart) => [...cart.shadowRoot!.querySelectorAll('[role="status"]')])
      .map((region) => region.textContent ?? '')
      .join(' '),
  );

/**
 * The <stripe-cart> dialogs open, and those of them actually shown: one open but not shown
 * would be an invisible modal, freezing the page (every click refused).
 */
const dialogs = (page: Page) =>
  page.evaluate(() => {
    const open = [...document.querySelectorAll('stripe-cart')]
      .map((cart) => cart.shadowRoot?.querySelector('dialog'))
      .filter((dialog) => dialog?.open);
    return { open: open.length, shown: open.filter((dialog) => dialog!.checkVisibility()).length };
  });

/** The documented two-cart page: a header cart hidden on phones, and a menu cart. */
const TWO_CARTS = `<html lang="en"><style>@media (max-width: 600px) { .wide-only { display: none; } }</style>
  ${MODULE}<header class="wide-only"><stripe-cart id="header" api="/"></stripe-cart></header>
  <nav><stripe-cart id="menu" api="/"></stripe-cart></nav>
  <button type="button" data-cart-add="BAGGIO-1994">Add Baggio</button></html>`;

describe.skipIf(skipE2E())('the elements in real pages, in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('two carts on one page (header and menu) stay in step and never wipe each other', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/two-carts`,
      `<html lang="en">${MODULE}<stripe-cart id="header" api="/"></stripe-cart>
      <nav><stripe-cart id="menu" api="/"></stripe-cart></nav></html>`,
    );
    await page.goto(`${shop.url}/two-carts`);
    await cartButton(page).first().waitFor();
    const items = (id: string) =>
      page.evaluate((id) => document.querySelector<StripeCart>(`#${id}`)!.items, id);

    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expect.poll(() => items('menu')).toEqual([{ sku: 'BAGGIO-1994', quantity: 1 }]);

    // The menu's cart adds to what the header's holds, rather than saving its own old copy.
    await page.evaluate(() => document.querySelector<StripeCart>('#menu')!.add('PELE-1958'));
    const both = [
      { sku: 'BAGGIO-1994', quantity: 1 },
      { sku: 'PELE-1958', quantity: 1 },
    ];
    await expect.poll(() => items('header')).toEqual(both);
    expect(await items('menu')).toEqual(both);
    const saved = await page.evaluate(() => JSON.parse(Object.values(localStorage)[0]!).lines);
    expect(saved).toEqual(both);
    // Each change once from the cart that made it, once from the other: never echoed back.
    const reasons = (await cartEvents(page)).map((e) => e.detail.reason);
    expect(reasons.sort()).toEqual(['add', 'add', 'sync', 'sync']);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('<stripe-cart-add> before any cart finds the cart that comes later', async () => {
    const { shop, browser } = suite;
    await shop.test.admin.admin.adjustStock.mutate({
      sku: 'MALDINI-2003',
      delta: -product('MALDINI-2003').stock,
      reason: 'late cart test',
    });
    const { page, errors } = await newShopper(browser, [shop.url]);
    const zidane = page.locator('stripe-cart-add[sku="ZIDANE-1998"]');
    const maldini = page.locator('stripe-cart-add[sku="MALDINI-2003"]');

    // A cart inserted by script after the buttons (a framework rendering the header later).
    await servePage(
      page,
      `${shop.url}/late-cart`,
      `<html lang="en">${MODULE}<stripe-cart-add sku="ZIDANE-1998"></stripe-cart-add>
      <stripe-cart-add sku="MALDINI-2003"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/late-cart`);
    await zidane.locator('button').waitFor();
    expect(await zidane.locator('.price').count()).toBe(0);
    await page.evaluate(() => {
      const cart = document.createElement('stripe-cart');
      cart.api = '/';
      document.body.prepend(cart);
    });
    await expect
      .poll(() => zidane.locator('.price').allTextContents())
      .toEqual([euros(product('ZIDANE-1998').unitAmount)]);
    await expect.poll(() => maldini.locator('[part="stock"]').textContent()).toBe('Sold out');
    expect(await maldini.getByRole('button').isDisabled()).toBe(true);

    // The classic-script build in <head>: each button is defined and connected as it is
    // parsed, before the cart further down the page exists. (The site hosts that build.)
    await page.route(`${shop.url}/js/stripe-cart.iife.js`, (route) =>
      route.fulfill({
        path: path.join(widgetDir, 'stripe-cart.iife.js'),
        contentType: 'text/javascript',
      }),
    );
    await servePage(
      page,
      `${shop.url}/classic`,
      `<html lang="en"><head><script src="/js/stripe-cart.iife.js"></script></head><body>
      <stripe-cart-add sku="ZIDANE-1998"></stripe-cart-add>
      <stripe-cart-add sku="MALDINI-2003"></stripe-cart-add>
      <stripe-cart api="/"></stripe-cart></body></html>`,
    );
    await page.goto(`${shop.url}/classic`);
    await expect
      .poll(() => zidane.locator('.price').allTextContents())
      .toEqual([euros(product('ZIDANE-1998').unitAmount)]);
    await expect.poll(() => maldini.getByRole('button').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('the classic-script build reads right on a page that is not UTF-8', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    // A legacy page in Windows-1252: a script served without a charset is read in the page's.
    await page.route(`${shop.url}/js/stripe-cart.iife.js`, (route) =>
      route.fulfill({
        path: path.join(widgetDir, 'stripe-cart.iife.js'),
        contentType: 'text/javascript',
      }),
    );
    await page.route(`${shop.url}/legacy`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=windows-1252',
        body: `<!doctype html><html lang="it"><head><script src="/js/stripe-cart.iife.js"></script>
        </head><body><stripe-cart api="/"></stripe-cart></body></html>`,
      }),
    );
    await page.goto(`${shop.url}/legacy`);
    await cartButton(page).click();
    await expect
      .poll(() => cartDialog(page).locator('.empty').textContent())
      .toBe('Il carrello è vuoto.');
    expect(await cartDialog(page).locator('[part="close"]').textContent()).toBe('×');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a delisted product in the cart: no endless "Loading…", and its button cannot add it', async () => {
    const { shop, browser } = suite;
    await shop.test.admin.admin.listProduct.mutate({
      sku: 'GONE-1',
      name: 'Soon gone',
      unitAmount: 1500,
      currency: 'eur',
      stock: 5,
    });
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/delisted`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart>
      <stripe-cart-add sku="GONE-1"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/delisted`);
    const add = page.locator('stripe-cart-add');
    await add.locator('.price').waitFor();
    await add.getByRole('button').click();
    await expect
      .poll(() => page.evaluate(() => document.querySelector('stripe-cart')!.items.length))
      .toBe(1);

    await shop.test.admin.admin.delistProduct.mutate({ sku: 'GONE-1' });
    await expect
      .poll(() => add.locator('[part="stock"]').textContent())
      .toBe('No longer available');
    expect(await add.getByRole('button').isDisabled()).toBe(true);
    expect(await add.locator('.price').count()).toBe(0);
    // Nor does any other way of adding (data-cart-add, the JS API) add it again.
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('GONE-1'));
    expect(await page.evaluate(() => document.querySelector('stripe-cart')!.items)).toEqual([
      { sku: 'GONE-1', quantity: 1 },
    ]);

    await cartButton(page).click();
    const line = cartLine(page, 'GONE-1');
    await expect
      .poll(() => line.locator('[part="issue"]').textContent())
      .toContain('No longer available');
    expect(await line.textContent()).not.toContain('Loading');
    await expect
      .poll(() => cartDialog(page).getByRole('button', { name: 'Remove it' }).count())
      .toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('forints read as Stripe counts them: 350000 huf is HUF 3,500, in the cart and on the button', async () => {
    const { shop, browser } = suite;
    await shop.test.admin.admin.listProduct.mutate({
      sku: 'FORINT-1',
      name: 'Puskás card',
      unitAmount: 350_000,
      currency: 'huf',
      stock: 5,
    });
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/forint`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart>
      <stripe-cart-add sku="FORINT-1"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/forint`);
    const price = page.locator('stripe-cart-add .price');
    await expect.poll(() => price.textContent()).toBe('HUF\u00a03,500');
    await page.locator('stripe-cart-add').getByRole('button').click();
    await cartButton(page).click();
    await expect
      .poll(() => cartDialog(page).locator('[part="subtotal"]').textContent())
      .toContain('HUF\u00a03,500');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('locale="en_US" reads as en-US; a tag the browser rejects falls back to the page', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/locales`,
      `<html lang="it">${MODULE}<stripe-cart api="/" locale="en_US"></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994" locale="en_US"></stripe-cart-add>
      <stripe-cart-add id="odd" sku="BAGGIO-1994" locale="en-US-"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/locales`);
    const cents = product('BAGGIO-1994').unitAmount;
    await expect
      .poll(() => page.locator('stripe-cart-add:not(#odd) .price').textContent())
      .toBe(
        new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(cents / 100),
      );
    expect(await page.locator('stripe-cart-add:not(#odd) button').textContent()).toContain(
      'Add to cart',
    );
    expect(await page.locator('#odd button').textContent()).toContain('Aggiungi al carrello');
    expect(await cartButton(page).textContent()).toContain('Cart');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('the hidden attribute hides both elements', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/hidden`,
      `<html lang="en">${MODULE}<stripe-cart api="/" hidden></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994" hidden></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/hidden`);
    await cartButton(page).waitFor({ state: 'attached' });
    await page.locator('stripe-cart-add button').waitFor({ state: 'attached' });
    expect(await page.locator('stripe-cart').isVisible()).toBe(false);
    expect(await page.locator('stripe-cart-add').isVisible()).toBe(false);

    await page.evaluate(() => {
      for (const element of document.querySelectorAll('[hidden]'))
        element.removeAttribute('hidden');
    });
    expect(await cartButton(page).isVisible()).toBe(true);
    expect(await page.locator('stripe-cart-add button').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('two carts, the first hidden on a phone: coming back from Stripe shows the order and leaves the page usable', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await page.setViewportSize({ width: 390, height: 800 });
    const { orderId } = await shop.test.client.checkout.start.mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
      email: 'phone@example.com',
      returnUrl: `${shop.url}/two-carts`,
    });
    await servePage(page, `${shop.url}/two-carts`, TWO_CARTS);
    await page.goto(`${shop.url}/two-carts?stripe_cart=success&stripe_cart_order=${orderId}`);
    await page.locator('#menu .trigger').waitFor();
    // The shopper sees the order's status in the cart the page shows, not an invisible modal
    // dialog that would freeze the page (every click refused).
    await expect.poll(() => dialogs(page), { timeout: 10_000 }).toEqual({ open: 1, shown: 1 });
    await page.context().close();
  });

  test("a hidden cart opened from the page's own button (cart.open()) shows its panel and leaves the page usable", async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/own-button`,
      `<html lang="en">${MODULE}<stripe-cart api="/" hidden></stripe-cart>
      <button type="button" id="my-cart" onclick="document.querySelector('stripe-cart').open()">My cart</button></html>`,
    );
    await page.goto(`${shop.url}/own-button`);
    await cartButton(page).waitFor({ state: 'attached' });
    await page.locator('#my-cart').click();
    await expect.poll(() => dialogs(page)).toEqual({ open: 1, shown: 1 });
    await page.context().close();
  });

  test('two carts, the first hidden on a phone: an add is announced by a cart screen readers can hear', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await page.setViewportSize({ width: 390, height: 800 });
    await servePage(page, `${shop.url}/two-carts`, TWO_CARTS);
    await page.goto(`${shop.url}/two-carts`);
    await page.locator('#menu .trigger').waitFor();
    await page.waitForFunction(() => document.querySelector('stripe-cart')?.shadowRoot);
    await page.getByRole('button', { name: 'Add Baggio' }).click();
    await expect
      .poll(() =>
        page.evaluate(() => document.querySelector<StripeCart>('stripe-cart#menu')!.items.length),
      )
      .toBe(1);
    await expect
      .poll(() => renderedAnnouncements(page), { timeout: 3_000 })
      .toContain(`${product('BAGGIO-1994').name} added to the cart.`);
    await page.context().close();
  });

  test('data-cart-add works on a button inside a web component (shadow DOM product card)', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/cards`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart><product-card></product-card>
      <script>customElements.define('product-card', class extends HTMLElement {
        constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML =
          '<button type="button" data-cart-add="PELE-1958">Add Pel\\u00e9</button>'; }
      });</script></html>`,
    );
    await page.goto(`${shop.url}/cards`);
    await cartButton(page).waitFor();
    await page.locator('product-card button').click();
    await expect
      .poll(() => page.evaluate(() => document.querySelector('stripe-cart')!.items), {
        timeout: 3_000,
      })
      .toEqual([{ sku: 'PELE-1958', quantity: 1 }]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a cart inside a header component (shadow DOM) speaks the language of <html lang>', async () => {
    const { shop, browser } = suite;
    // The shopper's browser is English (en-GB); the page is Italian.
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/header-component-it`,
      `<html lang="it">${MODULE}<site-header></site-header>
      <script>customElements.define('site-header', class extends HTMLElement {
        constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML = '<stripe-cart api="/"></stripe-cart>'; }
      });</script></html>`,
    );
    await page.goto(`${shop.url}/header-component-it`);
    const trigger = page.locator('stripe-cart .trigger');
    await trigger.waitFor();
    expect(await trigger.textContent()).toContain('Carrello');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('an add made as soon as the element is defined (a "buy this" campaign link) is kept, with the saved cart', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    // The page adds what its address names once the widget is there: the documented JS API.
    await servePage(
      page,
      `${shop.url}/campaign`,
      `<html lang="en"><stripe-cart api="/"></stripe-cart>
      <script type="module">
        const sku = new URLSearchParams(location.search).get('buy');
        if (sku) {
          history.replaceState(null, '', location.pathname);
          customElements.whenDefined('stripe-cart').then(() => {
            document.querySelector('stripe-cart').add(sku);
          });
        }
      </script>${MODULE}</html>`,
    );
    // A cart saved on an earlier visit.
    await page.goto(`${shop.url}/campaign`);
    await cartButton(page).waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('PELE-1958'));
    await expectCount(page, 1);

    await page.goto(`${shop.url}/campaign?buy=BAGGIO-1994`);
    await cartButton(page).waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.updateComplete);
    const both = [
      { sku: 'PELE-1958', quantity: 1 },
      { sku: 'BAGGIO-1994', quantity: 1 },
    ];
    expect(await page.evaluate(() => document.querySelector('stripe-cart')!.items)).toEqual(both);
    // Announced to the page once, as made (joining the saved cart is a sync, not a second add).
    const adds = (await cartEvents(page)).filter(
      (event) => event.type === 'change' && event.detail.reason === 'add',
    );
    expect(adds).toHaveLength(1);
    // Saved too: a reload (the address no longer names it) shows the same cart.
    await page.reload();
    await cartButton(page).waitFor();
    await expectCount(page, 2);
    expect(await page.evaluate(() => document.querySelector('stripe-cart')!.items)).toEqual(both);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a language with more plural forms (Polish) can be given all of them in `messages`', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    // 1 produkt, 2 produkty, 5 produktów: Intl.PluralRules("pl") says one / few / many.
    const polish = {
      cart: 'Koszyk',
      items_one: ', {count} produkt',
      items_few: ', {count} produkty',
      items_many: ', {count} produktów',
      items_other: ', {count} produktu',
    };
    await servePage(
      page,
      `${shop.url}/pl`,
      `<html lang="pl">${MODULE}<stripe-cart api="/" messages='${JSON.stringify(polish)}'></stripe-cart></html>`,
    );
    await page.goto(`${shop.url}/pl`);
    await cartButton(page).waitFor();
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994', 2));
    await expect.poll(() => cartButton(page).locator('.sr').textContent()).toBe(', 2 produkty');
    expect(warnings).toEqual([]);
    await page.context().close();
  });

  test('a site translating the cart with `messages` gets <stripe-cart-add> translated too', async () => {
    const { shop, browser } = suite;
    await shop.test.admin.admin.listProduct.mutate({
      sku: 'REVIEW-SOLD-OUT',
      name: 'Müller — 1974',
      unitAmount: 2500,
      currency: 'eur',
      stock: 0,
    });
    const { page, errors } = await newShopper(browser, [shop.url]);
    const german = {
      cart: 'Warenkorb',
      soldOut: 'Ausverkauft',
      onlyLeft: 'Nur noch {count}',
      addToCart: 'In den Warenkorb',
    };
    await servePage(
      page,
      `${shop.url}/de`,
      `<html lang="de">${MODULE}<stripe-cart api="/" messages='${JSON.stringify(german)}'></stripe-cart>
      <stripe-cart-add sku="REVIEW-SOLD-OUT"></stripe-cart-add>
      <stripe-cart-add sku="BAGGIO-1994"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/de`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();
    expect(await cartButton(page).textContent()).toContain('Warenkorb');
    await expect
      .poll(() =>
        page.locator('stripe-cart-add[sku="REVIEW-SOLD-OUT"] [part="stock"]').textContent(),
      )
      .toBe('Ausverkauft');
    expect(await page.locator('stripe-cart-add[sku="BAGGIO-1994"] button').textContent()).toContain(
      'In den Warenkorb',
    );
    // Set from script later (a framework's property): the buttons follow.
    await page.evaluate((german) => {
      document.querySelector('stripe-cart')!.messages = { ...german, addToCart: 'Kaufen' };
    }, german);
    await expect
      .poll(() => page.locator('stripe-cart-add[sku="BAGGIO-1994"] button').textContent())
      .toContain('Kaufen');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a cart inside a header component (shadow DOM): <stripe-cart-add> still shows price and stock', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/header-component`,
      `<html lang="en">${MODULE}<site-header></site-header>
      <stripe-cart-add sku="ZIDANE-1998"></stripe-cart-add>
      <script>customElements.define('site-header', class extends HTMLElement {
        constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML = '<stripe-cart api="/"></stripe-cart>'; }
      });</script></html>`,
    );
    await page.goto(`${shop.url}/header-component`);
    await page.locator('stripe-cart .trigger').waitFor();
    await expect
      .poll(() => page.locator('stripe-cart-add .price').allTextContents(), { timeout: 5_000 })
      .toEqual([
        new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(
          product('ZIDANE-1998').unitAmount / 100,
        ),
      ]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a <stripe-cart-add> in a product card (shadow DOM) that came before any cart shows its price once the cart comes', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/card-first`,
      `<html lang="en">${MODULE}<product-card></product-card>
      <script>customElements.define('product-card', class extends HTMLElement {
        constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML = '<stripe-cart-add sku="ZIDANE-1998"></stripe-cart-add>'; }
      });</script></html>`,
    );
    await page.goto(`${shop.url}/card-first`);
    await page.locator('stripe-cart-add button').waitFor();
    expect(await page.locator('stripe-cart-add .price').count()).toBe(0);
    // The site's script adds the cart later (a header rendered by a framework).
    await page.evaluate(() => {
      const cart = document.createElement('stripe-cart');
      cart.setAttribute('api', '/');
      document.body.prepend(cart);
    });
    await expect
      .poll(() => page.locator('stripe-cart-add .price').allTextContents(), { timeout: 5_000 })
      .toEqual([euros(product('ZIDANE-1998').unitAmount)]);
    await page.locator('stripe-cart-add button').click();
    await expectCount(page, 1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('two shops on one page: a <stripe-cart-add api> button adds to the cart of its own shop', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    // A second shop on its own origin, answering the live catalog as a stripe-cart server does.
    const other = 'http://second-shop.test';
    const list = await shop.test.client.catalog.list.query();
    await page.route(`${other}/trpc/**`, (route) =>
      route.fulfill({
        status: 200,
        headers: {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'access-control-allow-origin': shop.url,
        },
        body: `event: connected\ndata: {}\n\nretry: 600000\ndata: ${JSON.stringify(list)}\n\n`,
      }),
    );
    await servePage(
      page,
      `${shop.url}/two-shops`,
      `<html lang="en">${MODULE}<stripe-cart id="first" api="/"></stripe-cart>
      <stripe-cart id="second" api="${other}"></stripe-cart>
      <stripe-cart-add sku="PELE-1958" api="${other}"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/two-shops`);
    await page.locator('stripe-cart-add .price').waitFor();
    await page.locator('stripe-cart-add button').click();
    const items = () =>
      page.evaluate(() => ({
        first: document.querySelector<StripeCart>('stripe-cart#first')!.items,
        second: document.querySelector<StripeCart>('stripe-cart#second')!.items,
      }));
    await expect
      .poll(items, { timeout: 3_000 })
      .toEqual({ first: [], second: [{ sku: 'PELE-1958', quantity: 1 }] });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
