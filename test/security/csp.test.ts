/**
 * The Content-Security-Policy when a visitor reaches the shop by another name than
 * PUBLIC_URL's (127.0.0.1 for localhost): product images, whose URLs are made from
 * PUBLIC_URL, still load, and so does the API addressed by it.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipE2E } from '../e2e/support/browser';
import { demoCatalog } from '../e2e/support/shop';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { freePort } from '../support/free-port';
import { ensureWidgetBuilt, repoRoot } from '../widget/build-widget';
import { send } from './support/http';

let t: TestApp;
let publicUrl: string;
let visitedAt: string;
beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  visitedAt = `http://127.0.0.1:${port}`;
  t = await startTestApp({
    catalog: demoCatalog(),
    pages: [{ prefix: '/', root: path.join(repoRoot, 'demo', 'shop') }],
    env: { PORT: String(port), PUBLIC_URL: publicUrl, ALLOWED_ORIGINS: visitedAt },
  });
});
afterAll(async () => {
  await t?.close();
});

async function directive(name: string, path = '/'): Promise<string[]> {
  const response = await send(visitedAt, { path });
  const policy = String(response.headers['content-security-policy'] ?? '');
  const found = policy
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([directiveName]) => directiveName === name);
  return found?.slice(1) ?? [];
}

describe('the shop visited at another origin than PUBLIC_URL', () => {
  it("lets the page load images from PUBLIC_URL's origin, and the catalog's from any https host (a CDN)", async () => {
    expect(await directive('img-src')).toEqual(
      expect.arrayContaining(["'self'", publicUrl, 'https:']),
    );
  });

  it("lets the page call the API at PUBLIC_URL's origin", async () => {
    expect(await directive('connect-src')).toEqual(expect.arrayContaining(["'self'", publicUrl]));
  });

  describe.skipIf(skipE2E())('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      ensureWidgetBuilt();
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('shows the product images with no CSP violation', async () => {
      const page = await browser.newPage();
      await page.addInitScript(() => {
        const violations: string[] = [];
        Object.assign(window, { cspViolations: violations });
        document.addEventListener('securitypolicyviolation', (event) =>
          violations.push(`${event.effectiveDirective} ${event.blockedURI}`),
        );
      });
      await page.goto(`${visitedAt}/`);
      const productImages = page.locator(`img[src^="${publicUrl}/"]`);
      await expect.poll(() => productImages.count()).toBeGreaterThan(0);
      // Loaded or refused, each image is complete once the browser is done with it.
      const imagesDone = () =>
        productImages.evaluateAll((images) =>
          images.map((image) => {
            const { complete, naturalWidth } = image as HTMLImageElement;
            return complete ? (naturalWidth > 0 ? 'shown' : 'broken') : 'loading';
          }),
        );
      await expect.poll(async () => (await imagesDone()).includes('loading')).toBe(false);
      const violations = await page.evaluate(
        () => (window as unknown as { cspViolations: string[] }).cspViolations,
      );
      expect(violations).toEqual([]);
      expect(new Set(await imagesDone())).toEqual(new Set(['shown']));
    });
  });
});

describe('the analytics page, which takes the admin token', () => {
  it('runs no inline script, where the shop pages may', async () => {
    expect(await directive('script-src', '/')).toContain("'unsafe-inline'");
    expect(await directive('script-src', '/admin/')).toEqual(["'self'"]);
  });
});
