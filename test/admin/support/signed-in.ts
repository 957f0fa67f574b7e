/** The analytics page opened in a context of its own, and signed in to with the test token. */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { ADMIN_TOKEN } from '../../support/app';

export { ADMIN_TOKEN };

export async function open(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1200, height: 900 },
    ...options,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${url}/admin/`);
  return page;
}

export async function signedIn(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const page = await open(browser, url, options);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Show analytics' }).click();
  await page.locator('#live-status', { hasText: /^Live$/ }).waitFor();
  return page;
}

export const waitForText = (page: Page, selector: string, expected: string | RegExp) =>
  page.locator(selector).filter({ hasText: expected }).first().waitFor();
