/**
 * A shopper in real Chromium on the demo shop: fills the cart three ways, pays in the
 * Stripe sandbox's hosted page, and comes back to a live order status.
 */
import { describe, expect, test } from 'vitest';
import type { RecordedEvent } from './support/browser';
import { cartEvents, newShopper, skipE2E, stepShots } from './support/browser';
import { cartButton, cartDialog, cartLine, euros, expectCount, payOnSandbox } from './support/cart';
import { demoCatalog, shopInChromium } from './support/shop';

const price = (sku: string) => demoCatalog().find((p) => p.sku === sku)!.unitAmount;
const nameOf = (sku: string) => demoCatalog().find((p) => p.sku === sku)!.name;

describe.skipIf(skipE2E())('shop checkout in Chromium', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('adds items three ways, changes quantities, pays with 4242 and sees "paid" live', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    const shot = stepShots(page, 'pay');
    await page.goto(`${shop.url}/`);
    const maradonaAdd = page.locator('stripe-cart-add[sku="MARADONA-1986"]');
    await expect
      .poll(() => maradonaAdd.locator('.price').textContent())
      .toBe(euros(price('MARADONA-1986')));
    await shot('shop');

    // 1. any element with data-cart-add
    await page.getByRole('button', { name: 'Add Baggio to the cart' }).click();
    await expectCount(page, 1);
    // 2. the <stripe-cart-add> element
    await maradonaAdd.getByRole('button').click();
    await expectCount(page, 2);
    // 3. the JS API
    await page.evaluate(() => document.querySelector('stripe-cart')!.add('ZIDANE-1998', 2));
    await expectCount(page, 4);
    expect(await page.evaluate(() => document.querySelector('stripe-cart')!.items)).toEqual([
      { sku: 'BAGGIO-1994', quantity: 1 },
      { sku: 'MARADONA-1986', quantity: 1 },
      { sku: 'ZIDANE-1998', quantity: 2 },
    ]);
    await shot('added-three-ways');

    await cartButton(page).click();
    await expect.poll(() => cartDialog(page).isVisible()).toBe(true);
    const baggio = cartLine(page, nameOf('BAGGIO-1994'));
    await baggio.getByRole('button', { name: `One more ${nameOf('BAGGIO-1994')}` }).click();
    await baggio.getByRole('button', { name: `One more ${nameOf('BAGGIO-1994')}` }).click();
    const zidane = cartLine(page, nameOf('ZIDANE-1998'));
    await zidane.getByRole('button', { name: `One less ${nameOf('ZIDANE-1998')}` }).click();
    await cartLine(page, nameOf('MARADONA-1986')).getByRole('spinbutton').fill('2');
    await cartLine(page, nameOf('MARADONA-1986')).getByRole('spinbutton').press('Enter');
    await expectCount(page, 6);
    const subtotal = 3 * price('BAGGIO-1994') + 2 * price('MARADONA-1986') + price('ZIDANE-1998');
    await expect
      .poll(() => cartDialog(page).locator('[part="subtotal"]').textContent())
      .toContain(euros(subtotal));
    await shot('quantities');

    await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    await expect.poll(() => page.locator('#total').textContent()).toBe(euros(subtotal));
    await shot('stripe-page');

    await payOnSandbox(page, '4242 4242 4242 4242');
    await page.waitForURL(`${shop.url}/**`);
    const status = cartDialog(page).locator('[part="status"]');
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    await shot('paid');

    // The URL is clean again, the cart empty, and the page heard about it.
    expect(page.url()).toBe(`${shop.url}/`);
    await expectCount(page, 0);
    const events = await cartEvents(page);
    const paid = events.find((e) => e.type === 'paid') as RecordedEvent;
    expect(paid.detail).toMatchObject({ total: subtotal, currency: 'eur' });
    const order = await shop.test.client.order.get.query({ orderId: String(paid.detail.orderId) });
    expect(order.status).toBe('paid');
    expect(order.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['BAGGIO-1994', 3],
      ['MARADONA-1986', 2],
      ['ZIDANE-1998', 1],
    ]);

    await cartDialog(page).getByRole('button', { name: 'Continue shopping' }).click();
    await expect.poll(() => cartDialog(page).isVisible()).toBe(false);
    // A reload starts from an empty cart: it was emptied in storage, not just on screen.
    await page.reload();
    await expectCount(page, 0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('cancel on the Stripe page brings the shopper back to the same cart', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    const shot = stepShots(page, 'cancel');
    await page.goto(`${shop.url}/`);
    await page.getByRole('button', { name: 'Add the 1974 pair' }).click();
    await expect.poll(() => cartDialog(page).isVisible()).toBe(true);
    await expectCount(page, 2);
    await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);
    await shot('stripe-page');

    await page.getByRole('link', { name: 'Cancel and return to the shop' }).click();
    await page.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => cartDialog(page).locator('[part="notice"]').first().textContent())
      .toContain('Checkout cancelled. Your cart is still here.');
    await expectCount(page, 2);
    expect(await cartLine(page, nameOf('CRUYFF-1974')).isVisible()).toBe(true);
    expect(await cartLine(page, nameOf('BECKENBAUER-1974')).isVisible()).toBe(true);
    expect(page.url()).toBe(`${shop.url}/`);
    await shot('back-with-cart');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a declined card stays on the payment page; another card then pays', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    const shot = stepShots(page, 'declined');
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="RONALDO-2002"] button').click();
    await expectCount(page, 1);
    await cartButton(page).click();
    await cartDialog(page).getByLabel('Email for the receipt').fill('shopper@example.com');
    await cartDialog(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.waitForURL(`${shop.test.sandbox.url}/**`);

    await payOnSandbox(page, '4000 0000 0000 0002');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('declined');
    await shot('declined');
    expect(page.url().startsWith(shop.test.sandbox.url)).toBe(true);

    await payOnSandbox(page, '4242 4242 4242 4242');
    await page.waitForURL(`${shop.url}/**`);
    await expect
      .poll(() => cartDialog(page).locator('[part="status"]').textContent(), { timeout: 10_000 })
      .toContain('Payment received');
    await shot('paid-after-decline');
    expect(errors).toEqual([]);
    await page.context().close();
  });
  /** Two tabs of one shopper on the shop, Baggio added in the first and seen in the second. */
  async function twoTabsWithBaggio() {
    const { shop, browser } = suite;
    const { page: first, errors } = await newShopper(browser, [shop.url]);
    const second = await first.context().newPage();
    await Promise.all([first.goto(`${shop.url}/`), second.goto(`${shop.url}/`)]);
    await first.getByRole('button', { name: 'Add Baggio to the cart' }).click();
    await expectCount(second, 1);
    return { first, second, errors };
  }

  test('two tabs of the shop share one cart, live', async () => {
    const { first, second, errors } = await twoTabsWithBaggio();
    await second.evaluate(() =>
      document.querySelector('stripe-cart')!.setQuantity('BAGGIO-1994', 3),
    );
    await expectCount(first, 3);
    await stepShots(second, 'tabs')('second-tab');
    const changes = (await cartEvents(first)).filter((e) => e.type === 'change');
    expect(changes.map((e) => e.detail.reason)).toEqual(['add', 'sync']);
    expect(errors).toEqual([]);
    await first.context().close();
  });

  test('an email typed in one tab reaches the others without a change event', async () => {
    const { first, second, errors } = await twoTabsWithBaggio();
    await Promise.all([cartButton(first).click(), cartButton(second).click()]);

    // Saved on every keystroke, as a shopper types it.
    await cartDialog(first)
      .getByLabel('Email for the receipt')
      .pressSequentially('fan@example.com');
    await expect
      .poll(() => cartDialog(second).getByLabel('Email for the receipt').inputValue())
      .toBe('fan@example.com');
    const changes = (await cartEvents(second)).filter((e) => e.type === 'change');
    expect(changes.map((e) => e.detail.reason)).toEqual(['sync']);
    expect(errors).toEqual([]);
    await first.context().close();
  });
});
