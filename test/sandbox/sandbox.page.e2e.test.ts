import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../demo/sandbox';
import { launchChromium, skipE2E } from '../e2e/support/browser';
import { sessionParams, stripeFor } from './helpers';

// Like the other browser suites: a missing Chromium fails the suite unless SKIP_E2E=1 says why.
const skip = skipE2E();

let sandbox: Sandbox;
let stripe: Stripe;
let browser: Browser;
let shop: http.Server;
let shopUrl: string;

beforeAll(async () => {
  if (skip) return;
  sandbox = await startSandbox({ asyncDelayMs: 20 });
  stripe = stripeFor(sandbox);
  browser = await launchChromium();
  // Stands in for the merchant's site the shopper returns to.
  shop = http.createServer((request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<h1>Shop</h1><p>${request.url}</p>`);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (skip) return;
  await browser.close();
  await sandbox.close();
  shop.closeAllConnections();
  await new Promise((resolve) => shop.close(resolve));
});

async function newSession() {
  return stripe.checkout.sessions.create(
    sessionParams({
      success_url: `${shopUrl}/done?session={CHECKOUT_SESSION_ID}`,
      cancel_url: `${shopUrl}/cart`,
    }),
  );
}

describe.skipIf(skip)('the hosted payment page in Chromium', () => {
  it('can be paid with the keyboard alone and returns to the success URL', async () => {
    const session = await newSession();
    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.getByLabel('Card number').focus();
    await page.keyboard.type('4242 4242 4242 4242');
    await page.keyboard.press('Tab');
    await page.keyboard.type('12 / 40');
    await page.keyboard.press('Tab');
    await page.keyboard.type('123');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${shopUrl}/done?session=${session.id}`);
    expect(sandbox.session(session.id)).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
    });
    await page.close();
  });

  it('shows a decline as an alert and keeps the shopper on the page', async () => {
    const session = await newSession();
    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.getByLabel('Card number').fill('4000 0000 0000 0002');
    await page.getByLabel('Expiry date (MM / YY)').fill('12 / 40');
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Your card was declined.');
    expect(page.url()).toBe(session.url);
    expect(sandbox.session(session.id)?.status).toBe('open');
    await page.close();
  });

  it('switches to SEPA Direct Debit: only the IBAN field shows, and the focus ring is visible', async () => {
    const session = await newSession();
    const page = await browser.newPage();
    await page.goto(session.url!);
    await expect(page.getByLabel('IBAN').isVisible()).resolves.toBe(false);
    await page.getByLabel('SEPA Direct Debit').check();
    await expect(page.getByLabel('IBAN').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Card number').isVisible()).resolves.toBe(false);

    await page.getByLabel('IBAN').focus();
    const outline = await page
      .getByLabel('IBAN')
      .evaluate((element) => getComputedStyle(element).outlineStyle);
    expect(outline).toBe('solid');

    await page.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 00');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(`${shopUrl}/done?session=${session.id}`);
    await sandbox.idle();
    expect(sandbox.session(session.id)?.payment_status).toBe('paid');
    await page.close();
  });

  it('Cancel goes back to the cancel URL and leaves the session open', async () => {
    const session = await newSession();
    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.getByRole('link', { name: 'Cancel and return to the shop' }).click();
    await page.waitForURL(`${shopUrl}/cart`);
    expect(sandbox.session(session.id)?.status).toBe('open');
    await page.close();
  });
});
