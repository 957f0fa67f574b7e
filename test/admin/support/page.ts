/** The analytics page in Chromium: built from this code, opened, signed in to. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { CatalogEntry } from '../../../server/catalog/catalog-file';
import { launchChromium, skipE2E } from '../../e2e/support/browser';
import { ADMIN_TOKEN } from '../../support/app';

/** A product whose name is longer than any chart row can show on one line. */
export const longNamed: CatalogEntry = {
  sku: 'MARADONA-1986',
  name: 'Maradona 1986 Mexico World Cup quarter-final shirt, signed, with certificate',
  description: '',
  image: '',
  unitAmount: 99900,
  currency: 'eur',
  stock: 5,
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const sourceDir = path.join(root, 'demo/admin');
const builtDir = path.join(root, 'dist/admin');

const newestSource = (dir: string): number =>
  Math.max(
    ...fs.readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const file = path.join(dir, entry.name);
      return entry.isDirectory() ? newestSource(file) : fs.statSync(file).mtimeMs;
    }),
  );

/** Builds dist/admin when it is missing or older than its sources, so the test sees this code. */
export function ensureBuilt(): void {
  const index = path.join(builtDir, 'index.html');
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestSource(sourceDir)) return;
  execFileSync(
    'npx',
    ['vite', 'build', '--config', 'demo/admin/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

export { paidOrder } from '../../support/orders';

/**
 * Chromium for a test file's cases, with the page built from this code first (neither when
 * the e2e tests are skipped): read `browser` inside the cases.
 */
export function adminInChromium(): { readonly browser: Browser } {
  const suite = {} as { browser: Browser };
  beforeAll(async () => {
    if (skipE2E()) return;
    ensureBuilt();
    suite.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
  });
  return suite;
}

/**
 * Opens the page (at `at`, a link someone shared, say) in a context of its own (en-US, UTC,
 * 1200 px wide unless `options` says otherwise); `foreign` collects every request to another
 * origin (there must be none).
 */
export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
  at = '/admin/',
): Promise<{ page: Page; foreign: string[] }> {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1200, height: 900 },
    ...options,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const foreign: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(url)) foreign.push(request.url());
  });
  await page.goto(`${url}${at}`);
  return { page, foreign };
}

export const signIn = async (page: Page, token: string) => {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Show analytics' }).click();
};

/** Opens the page and signs in with the test token; returns once it says "Live". */
export async function signedIn(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const { page } = await openPage(browser, url, options);
  await signIn(page, ADMIN_TOKEN);
  await page.locator('#live-status', { hasText: /^Live$/ }).waitFor();
  return page;
}

export const waitForText = (page: Page, selector: string, expected: string | RegExp) =>
  page.locator(selector).filter({ hasText: expected }).first().waitFor();

/** What the filter controls show. */
export const filterControls = async (page: Page) => ({
  from: await page.locator('#from').inputValue(),
  to: await page.locator('#to').inputValue(),
  pressed: await page.locator('[data-days][aria-pressed="true"]').allTextContents(),
  status: await page.locator('#status').inputValue(),
  email: await page.locator('#email').inputValue(),
});
