/**
 * The demo shop as a shopper meets it: the real server (with the local Stripe sandbox)
 * serving demo/shop and the built widget, and optionally demo/embed on a second origin.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { CatalogEntry } from '../../../server/catalog/catalog-file';
import type { TestApp } from '../../support/app';
import { startTestApp } from '../../support/app';
import { freePort } from '../../support/free-port';
import { ensureWidgetBuilt, repoRoot } from '../../widget/build-widget';
import { launchChromium } from './browser';

export interface Shop {
  /** The shop page's origin, which is also the API's. */
  url: string;
  /** The second origin's page embedding the widget, when asked for. */
  embedUrl: string | undefined;
  test: TestApp;
  close(): Promise<void>;
}

export function demoCatalog(): CatalogEntry[] {
  const file = path.join(repoRoot, 'demo', 'catalog.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { products: CatalogEntry[] }).products;
}

/** demo/embed/index.html on its own port, with %API_URL% filled in as `npm start` does. */
async function serveEmbed(port: number, apiUrl: string): Promise<http.Server> {
  const page = fs
    .readFileSync(path.join(repoRoot, 'demo', 'embed', 'index.html'), 'utf8')
    .replaceAll('%API_URL%', apiUrl);
  const server = http.createServer((request, response) => {
    if (request.url !== '/' && !request.url?.startsWith('/?')) {
      response.writeHead(404).end('Not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

export async function startShop(
  options: { embed?: boolean; catalog?: CatalogEntry[] } = {},
): Promise<Shop> {
  ensureWidgetBuilt();
  const port = await freePort();
  const embedPort = options.embed ? await freePort() : undefined;
  const url = `http://127.0.0.1:${port}`;
  const embedUrl = embedPort ? `http://127.0.0.1:${embedPort}` : undefined;
  const test = await startTestApp({
    catalog: options.catalog ?? demoCatalog(),
    pages: [{ prefix: '/', root: path.join(repoRoot, 'demo', 'shop') }],
    env: {
      PORT: String(port),
      PUBLIC_URL: url,
      ALLOWED_ORIGINS: [url, embedUrl].filter(Boolean).join(','),
    },
  });
  const embed = embedPort ? await serveEmbed(embedPort, url) : undefined;
  return {
    url,
    embedUrl,
    test,
    async close() {
      await new Promise<void>((resolve) => (embed ? embed.close(() => resolve()) : resolve()));
      await test.close();
    },
  };
}

/**
 * The demo shop and Chromium for one browser suite: started before its tests, stopped
 * after them. Read `shop` and `browser` inside the tests, once they have started.
 */
export function shopInChromium(options: Parameters<typeof startShop>[0] = {}): {
  readonly shop: Shop;
  readonly browser: Browser;
} {
  const suite = {} as { shop: Shop; browser: Browser };
  beforeAll(async () => {
    [suite.shop, suite.browser] = await Promise.all([startShop(options), launchChromium()]);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.shop?.close();
  });
  return suite;
}
