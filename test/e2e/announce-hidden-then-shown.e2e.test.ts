/**
 * An announcement started on a shown page that is hidden before its frames come (the shopper
 * switches tab) waits for them until the page is shown again; one made meanwhile must stay
 * the last word, not be replaced by the older one when its frames come.
 *
 * Hidden is played in the page as the browser does it: `document.hidden` true and no
 * animation frame callback run (those already asked for included) until it is shown again.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { announcements, recordAnnouncements, twoFrames } from '../e2e/support/announcements';
import { newShopper, skipE2E } from '../e2e/support/browser';
import { expectCount } from '../e2e/support/cart';
import { demoCatalog, shopInChromium } from '../e2e/support/shop';

const baggio = demoCatalog().find((p) => p.sku === 'BAGGIO-1994')!.name;

/** `window.hidePage()` / `window.showPage()`, as switching tabs away and back does. */
async function playVisibility(page: Page): Promise<void> {
  await page.addInitScript(() => {
    let hidden = false;
    const held: FrameRequestCallback[] = [];
    Object.defineProperty(Document.prototype, 'hidden', { get: () => hidden, configurable: true });
    Object.defineProperty(Document.prototype, 'visibilityState', {
      get: () => (hidden ? 'hidden' : 'visible'),
      configurable: true,
    });
    const frame = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (run) =>
      frame((time) => {
        if (hidden) held.push(run);
        else run(time);
      });
    Object.assign(window, {
      hidePage: () => {
        hidden = true;
        document.dispatchEvent(new Event('visibilitychange'));
      },
      showPage: () => {
        hidden = false;
        document.dispatchEvent(new Event('visibilitychange'));
        for (const run of held.splice(0)) frame(run);
      },
    });
  });
}

/** The text of the cart's live region outside its panel (the panel is closed). */
const regionText = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelector('stripe-cart')!.shadowRoot!.querySelectorAll('[role="status"]')]
      .find((region) => !region.closest('dialog'))!
      .textContent!.trim(),
  );

describe.skipIf(skipE2E())('an announcement across a hidden page', { timeout: 60_000 }, () => {
  const suite = shopInChromium();

  test('the newest announcement is the one said last and kept, not one made before it', async () => {
    const { shop, browser } = suite;
    const { page, errors } = await newShopper(browser, [shop.url]);
    await playVisibility(page);
    await recordAnnouncements(page);
    await page.goto(`${shop.url}/`);
    await page.locator('stripe-cart-add[sku="BAGGIO-1994"] .price').waitFor();

    // Added on the shown page; the shopper switches tab at once (before two frames).
    await page.evaluate(() => {
      document.querySelector('stripe-cart')!.add('BAGGIO-1994');
      setTimeout(() => (window as unknown as { hidePage(): void }).hidePage(), 0);
    });
    await expectCount(page, 1);
    // While the page is hidden the line is removed (another tab of the shop, say).
    await page.evaluate(() => document.querySelector('stripe-cart')!.remove('BAGGIO-1994'));
    await expectCount(page, 0);
    await page.waitForTimeout(400);
    await page.evaluate(() => (window as unknown as { showPage(): void }).showPage());
    await twoFrames(page);
    await twoFrames(page);
    await page.waitForTimeout(300);
    await twoFrames(page);

    const removed = `${baggio} removed from the cart.`;
    expect(await regionText(page)).toBe(removed);
    expect((await announcements(page)).at(-1)).toBe(removed);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
