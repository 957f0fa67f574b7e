/**
 * Real Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core
 * (never a downloaded browser). Missing browser = failing suite, unless SKIP_E2E=1 says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { repoRoot } from '../../widget/build-widget';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'e2e');

/** True when the suite must not run; says why on the console. */
export function skipE2E(): boolean {
  if (process.env.SKIP_E2E === '1') {
    console.warn('e2e: skipped because SKIP_E2E=1 is set (the browser tests did not run)');
    return true;
  }
  return false;
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `e2e: no Chromium at ${CHROMIUM_PATH}. Install Debian's browser (apt-get install -y chromium), ` +
        'set CHROMIUM_PATH, or set SKIP_E2E=1 to skip the browser tests on purpose.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Saves numbered screenshots of a test's steps as artifacts: test-results/e2e/<name>-NN-<step>.png. */
export function stepShots(page: Page, name: string): (step: string) => Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  let n = 0;
  return async (step) => {
    n += 1;
    const file = `${name}-${String(n).padStart(2, '0')}-${step}.png`;
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, file) });
  };
}

/**
 * Collects script errors and failed responses of the page's own origin, so a test can
 * assert the widget threw nothing and asked for nothing missing. (The sandbox's payment
 * page answers a decline with 402, as Stripe does: not an error of ours.)
 */
function pageErrors(page: Page, origins: () => string[] = () => []): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(message.text());
    }
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    const ours = origins().length === 0 || origins().includes(url.origin);
    if (ours && response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return errors;
}

/** A fresh shopper: own storage, reduced motion (no slide-in mid-screenshot), events recorded. */
export async function newShopper(
  browser: Browser,
  origins: string[],
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ reducedMotion: 'reduce', locale: 'en-GB' });
  await context.addInitScript(() => {
    const seen: { type: string; detail: unknown }[] = [];
    Object.assign(window, { cartEvents: seen });
    for (const type of ['change', 'checkout', 'paid', 'error']) {
      document.addEventListener(`stripe-cart:${type}`, (event) => {
        seen.push({ type, detail: (event as CustomEvent).detail });
      });
    }
  });
  const page = await context.newPage();
  return { page, errors: pageErrors(page, () => origins) };
}

export type RecordedEvent = { type: string; detail: Record<string, unknown> };

export function cartEvents(page: Page): Promise<RecordedEvent[]> {
  return page.evaluate(() => (window as unknown as { cartEvents: RecordedEvent[] }).cartEvents);
}

/**
 * Serves `body` as the page at `url` (whatever its query): a page on the shop's origin, as a
 * site owner writes it.
 */
export async function servePage(page: Page, url: string, body: string): Promise<void> {
  const { origin, pathname } = new URL(url);
  await page.route(
    (u) => u.origin === origin && u.pathname === pathname,
    (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html>${body}` }),
  );
}
