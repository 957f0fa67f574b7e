/** How a shopper finds the widget's parts on a page (Playwright pierces open shadow roots). */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const cartButton = (page: Page): Locator => page.locator('stripe-cart .trigger');
export const cartDialog = (page: Page): Locator => page.locator('stripe-cart dialog');
export const cartLine = (page: Page, name: string | RegExp): Locator =>
  cartDialog(page).locator('li.line').filter({ hasText: name });

/** Polls until `read` returns what is expected, as a shopper would wait for the page. */
async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => void,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * The accessible name Chromium gives an element (Playwright's computation agrees with it).
 * Chromium puts a space before the cart button's visually hidden ", 3 items" (a box of its
 * own); screen readers do not voice it, so it is dropped here.
 */
export async function accessibleName(locator: Locator): Promise<string> {
  const snapshot = await locator.ariaSnapshot();
  const name = /^- \w+ "(.*?)"/.exec(snapshot)?.[1] ?? '';
  return name.replace(/ ,/g, ',');
}

export async function expectCount(page: Page, count: number): Promise<void> {
  await eventually(
    () => accessibleName(cartButton(page)),
    (label) => expect(label).toMatch(new RegExp(`\\b${count} (item|items|articolo|articoli)$`)),
  );
}

export function euros(minor: number): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(minor / 100);
}

/** Fills the local Stripe sandbox's hosted payment page and submits it. */
export async function payOnSandbox(page: Page, card: string): Promise<void> {
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry date (MM / YY)').fill('12 / 34');
  await page.getByLabel('Security code (CVC)').fill('123');
  await page.getByRole('button', { name: /^Pay / }).click();
}

export interface Focused {
  tag: string;
  /** The accessible-ish name: aria-label, associated label, or the text a screen reader reads. */
  name: string;
  /** Whether focus is inside the cart's open dialog. */
  inDialog: boolean;
}

/** What has keyboard focus, looking through shadow roots as assistive technology does. */
export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return { tag: '', name: '', inDialog: false };
    const labelled = el.id ? el.getRootNode() : null;
    const label =
      labelled instanceof Document || labelled instanceof ShadowRoot
        ? labelled.querySelector(`label[for="${el.id}"]`)?.textContent
        : undefined;
    // What is read out: slotted content in place of its slot, nothing aria-hidden.
    const spoken = (node: Node): string =>
      node instanceof HTMLSlotElement
        ? node.assignedNodes({ flatten: true }).map(spoken).join('')
        : node instanceof Element
          ? node.getAttribute('aria-hidden') === 'true'
            ? ''
            : [...node.childNodes].map(spoken).join('')
          : node.nodeType === Node.TEXT_NODE
            ? (node.textContent ?? '')
            : '';
    return {
      tag: el.tagName.toLowerCase(),
      name: (el.getAttribute('aria-label') ?? label ?? spoken(el)).replace(/\s+/g, ' ').trim(),
      inDialog: Boolean(el.closest('dialog[open]')),
    };
  });
}

/** Presses Tab until the focused element matches, as a keyboard user would. */
export async function tabTo(page: Page, name: string | RegExp, max = 60): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (typeof name === 'string' ? now.name === name : name.test(now.name)) return now;
  }
  throw new Error(`Tab never reached ${String(name)}`);
}
