/**
 * A site owner's mistakes in embedding the cart are said once on the browser console, naming
 * the attribute and what is wrong, rather than failing silently.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { newShopper, servePage, skipE2E } from './support/browser';
import { cartButton, cartDialog, expectCount } from './support/cart';
import { shopInChromium } from './support/shop';

const MODULE = '<script type="module" src="/widget/stripe-cart.js"></script>';

/** The widget's own console lines ("<stripe-cart>: …"), with their level. */
function widgetConsole(page: Page): { type: string; text: string }[] {
  const said: { type: string; text: string }[] = [];
  page.on('console', (message) => {
    if (message.text().startsWith('<stripe-cart>')) {
      said.push({ type: message.type(), text: message.text() });
    }
  });
  return said;
}

describe.skipIf(skipE2E())('embedding mistakes, in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('a cart without api says so once, asks the server nothing, and shows no endless Loading', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    const said = widgetConsole(page);
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/trpc/')) asked.push(request.url());
    });
    await servePage(
      page,
      `${shop.url}/no-api`,
      `<html lang="en">${MODULE}<stripe-cart></stripe-cart></html>`,
    );
    await page.goto(`${shop.url}/no-api`);
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    await expectCount(page, 1);
    // Moved in the page (connected again) and rendered again: still said once.
    await page.evaluate(() => document.body.append(document.querySelector('stripe-cart')!));
    await cartButton(page).click();
    await expect
      .poll(() => cartDialog(page).locator('[part="error"]').textContent())
      .toBe('We could not reach the shop. Check your connection and try again.');
    expect(said).toEqual([
      {
        type: 'error',
        text: "<stripe-cart>: the api attribute is missing: set it to your stripe-cart server's URL",
      },
    ]);
    expect(errors).toEqual([said[0]!.text]);
    expect(asked).toEqual([]);
    await page.context().close();
  });

  test('messages that are not JSON, or have unknown keys, are said once per element', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    const said = widgetConsole(page);
    await servePage(
      page,
      `${shop.url}/bad-messages`,
      `<html lang="en">${MODULE}
      <stripe-cart id="unquoted" api="/" messages='{pay:"Buy now"}'></stripe-cart>
      <stripe-cart id="typo" api="/" messages='{"pay":"Buy now","paybutton":"Go","title":3}'></stripe-cart>
      <stripe-cart id="list" api="/" messages='["Buy now"]'></stripe-cart></html>`,
    );
    await page.goto(`${shop.url}/bad-messages`);
    const typo = page.locator('#typo');
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('BAGGIO-1994'));
    // Both carts render the line: no element says it again.
    await expect.poll(() => typo.locator('[part="badge"]').textContent()).toBe('1');
    // The known text still applies; the rest of the cart works.
    await typo.locator('.trigger').click();
    await expect.poll(() => typo.locator('[part="checkout"]').textContent()).toBe('Buy now');
    expect(said).toEqual([
      { type: 'error', text: '<stripe-cart>: the messages attribute is not a JSON object' },
      {
        type: 'warning',
        text: '<stripe-cart>: the messages attribute has unknown keys or non-text values: paybutton,title',
      },
      // A JSON list is no object either, not a list of unknown keys "0".
      { type: 'error', text: '<stripe-cart>: the messages attribute is not a JSON object' },
    ]);
    await page.context().close();
  });

  test('a page on an origin the server does not allow is told what to check, once', async () => {
    const { shop, browser } = suite;
    // A real server of its own (Chromium lets a page reach a loopback server only from one).
    const html = `<!doctype html><html lang="en"><script type="module" src="${shop.url}/widget/stripe-cart.js"></script>
      <stripe-cart api="${shop.url}"></stripe-cart><stripe-cart api="${shop.url}"></stripe-cart></html>`;
    const other = http.createServer((_req, res) => res.end(html));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const origin = `http://localhost:${(other.address() as AddressInfo).port}`;
    const { page } = await newShopper(browser, [shop.url]);
    const said = widgetConsole(page);
    let refused = 0;
    page.on('requestfailed', (request) => {
      if (request.url().includes('/trpc/catalog.watch')) refused++;
    });
    try {
      await page.goto(`${origin}/cards`);
      // Said at the first refusal, and not again at the next (the cart retries every 5 s).
      await expect.poll(() => refused, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      expect(said).toEqual([
        {
          type: 'warning',
          text: `<stripe-cart>: cannot reach ${new URL(shop.url).origin}: is it up, with ${origin} in its ALLOWED_ORIGINS?`,
        },
      ]);
    } finally {
      await page.context().close();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  test('messages set as a property with a non-text value are ignored, as they are in the attribute', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/prop`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart></html>`,
    );
    await page.goto(`${shop.url}/prop`);
    await cartButton(page).waitFor();
    await page.evaluate(() => {
      const cart = document.querySelector('stripe-cart')!;
      // e.g. a CMS field left empty: null where a text was expected.
      cart.messages = { pay: 'Buy now', title: null as unknown as string };
      cart.add('BAGGIO-1994');
    });
    await expectCount(page, 1);
    await page.evaluate(() => document.querySelector('stripe-cart')!.open());
    await expect.poll(() => cartDialog(page).locator('h2').textContent()).toBe('Your cart');
    expect(await cartDialog(page).locator('[part="checkout"]').textContent()).toBe('Buy now');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('api without its scheme ("localhost:3000"): the documented console error, and the cart still shows', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    const said: string[] = [];
    const thrown: string[] = [];
    page.on('console', (m) => said.push(m.text()));
    page.on('pageerror', (e) => thrown.push(e.message));
    await servePage(
      page,
      `${shop.url}/typo`,
      `<html lang="en">${MODULE}<stripe-cart api="localhost:3000"></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/typo`);
    await page.waitForFunction(() => customElements.get('stripe-cart'));
    await expect.poll(() => said).toContain('<stripe-cart>: api="localhost:3000" is not a URL');
    // Moved in the page twice (a responsive header), rendered again each time: said once.
    await page.evaluate(async () => {
      const cart = document.querySelector('stripe-cart')!;
      for (let i = 0; i < 2; i++) {
        document.body.prepend(cart);
        await cart.updateComplete;
      }
    });
    expect(said.filter((text) => text.includes('is not a URL'))).toHaveLength(1);
    expect(thrown).toEqual([]);
    // "the cart keeps working as far as it can": at least its button is there.
    expect(await cartButton(page).count()).toBe(1);
    expect(await page.locator('stripe-cart-add button').count()).toBe(1);
    await page.context().close();
  });

  test('a <stripe-cart-add> whose own api is no URL: the documented console error, once', async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    const said: string[] = [];
    page.on('console', (m) => said.push(m.text()));
    await servePage(
      page,
      `${shop.url}/add-typo`,
      `<html lang="en">${MODULE}<stripe-cart api="/"></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994" api="localhost:3000"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/add-typo`);
    await expect.poll(() => said).toContain('<stripe-cart-add>: api="localhost:3000" is not a URL');
    await page.evaluate(async () => {
      const add = document.querySelector('stripe-cart-add')!;
      for (let i = 0; i < 2; i++) {
        document.body.prepend(add);
        await add.updateComplete;
      }
    });
    expect(said.filter((text) => text.includes('is not a URL'))).toHaveLength(1);
    await page.context().close();
  });

  test("a <stripe-cart-add api> written unlike every cart's api (a trailing /) adds to no other shop's cart", async () => {
    const { shop, browser } = suite;
    const { page } = await newShopper(browser, [shop.url]);
    await servePage(
      page,
      `${shop.url}/two-carts-slash`,
      `<html lang="en">${MODULE}<stripe-cart id="first" api="/"></stripe-cart>
      <stripe-cart id="second" api="${shop.url}"></stripe-cart>
      <stripe-cart-add sku="BAGGIO-1994" api="${shop.url}/"></stripe-cart-add></html>`,
    );
    await page.goto(`${shop.url}/two-carts-slash`);
    await page.locator('stripe-cart-add .price').waitFor();
    await page.locator('stripe-cart-add button').click();
    const items = await page.evaluate(() =>
      [...document.querySelectorAll('stripe-cart')].map((cart) => cart.items.length),
    );
    expect(items).toEqual([0, 0]);
    await page.context().close();
  });
});
