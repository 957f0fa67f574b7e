/**
 * The token flow seen from the server's log: signing in, following live updates (whose token
 * rides in the SSE URL), a wrong token, and signing out must never write a token to a log line.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { skipE2E } from '../e2e/support/browser';
import { ADMIN_TOKEN, startTestApp } from '../support/app';
import { adminInChromium, openPage, waitForText } from './support/page';

const skip = skipE2E();
const chromium = adminInChromium();

describe.skipIf(skip)('the admin token and the server log', () => {
  for (const level of ['info', 'debug'] as const) {
    it(`no log line at ${level} carries the token, right or wrong`, async () => {
      const lines: string[] = [];
      const t = await startTestApp({
        env: { LOG_LEVEL: level },
        logTo: { write: (line: string) => void lines.push(line) },
      });
      let page: Page | undefined;
      const wrong = 'wrong-token-but-close-0123456789';
      try {
        page = await (await openPage(chromium.browser, t.url)).page;
        await page.getByLabel('Admin token').fill(wrong);
        await page.getByRole('button', { name: 'Show analytics' }).click();
        await waitForText(page, '#token-error', 'UNAUTHORIZED');
        await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
        await page.getByRole('button', { name: 'Show analytics' }).click();
        await waitForText(page, '#live-status', /^Live$/);
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.locator('#sign-in').waitFor();
        // The live stream's URL, as the page's EventSource sends it, with a wrong token, and
        // a misspelt procedure (404) and a bad input (400) with the right one.
        for (const [procedure, token, input] of [
          ['analytics.watch', wrong, ''],
          ['analytics.wach', ADMIN_TOKEN, ''],
          ['analytics.watch', ADMIN_TOKEN, '&input=%7B'],
        ]) {
          const params = encodeURIComponent(JSON.stringify({ token }));
          const response = await fetch(
            `${t.url}/trpc/${procedure}?connectionParams=${params}${input}`,
            { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(3000) },
          ).catch(() => undefined);
          await response?.body?.cancel().catch(() => {});
        }
        expect(lines.length).toBeGreaterThan(0);
        const leaking = lines.filter((line) => line.includes(ADMIN_TOKEN) || line.includes(wrong));
        expect(leaking).toEqual([]);
      } finally {
        await page?.context().close();
        await t.close();
      }
    }, 60_000);
  }
});
