/** The analytics page in Chromium: built from this code, opened, signed in to. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../../support/app';
import { checkout } from '../../support/orders';

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

export async function paidOrder(
  t: TestApp,
  items: { sku: string; quantity: number }[],
  email: string,
) {
  const order = await checkout(t, items, email);
  await t.sandbox.pay(order.sessionId);
  await t.sandbox.idle();
  return order;
}

/** Opens the page; `foreign` collects every request to another origin (there must be none). */
export async function openPage(
  browser: Browser,
  url: string,
  width = 1200,
): Promise<{ page: Page; foreign: string[] }> {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const foreign: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(url)) foreign.push(request.url());
  });
  await page.goto(`${url}/admin/`);
  return { page, foreign };
}

export const signIn = async (page: Page, token: string) => {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Show analytics' }).click();
};
