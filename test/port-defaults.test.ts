/**
 * PORT=0 lets the OS pick the port. The settings whose defaults are made from PORT
 * (PUBLIC_URL, and ALLOWED_ORIGINS from it) then name the port the server listens on: a
 * shopper on http://localhost:<that port> sees product images, may call the API and come
 * back from Stripe. A PUBLIC_URL that is set stays as it is.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { TestApp } from './support/app';
import { startTestApp } from './support/app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

it('on PORT=0 without PUBLIC_URL, image URLs, CSP and allowed origins name the port the OS picked', async () => {
  // The test app listens on PORT=0 with no PUBLIC_URL; '' leaves ALLOWED_ORIGINS to its default.
  t = await startTestApp({ env: { ALLOWED_ORIGINS: '' } });
  const shop = `http://localhost:${new URL(t.url).port}`;

  const products = await t.client.catalog.list.query();
  expect(products.find((p) => p.sku === 'PELE-1958')?.image).toBe(`${shop}/images/pele-1958.svg`);
  const response = await fetch(`${t.url}/healthz`, { headers: { origin: shop } });
  expect(response.headers.get('content-security-policy')).toContain(`img-src 'self' ${shop} `);
  expect(response.headers.get('access-control-allow-origin')).toBe(shop);
  const started = await t.client.checkout.start.mutate({
    checkoutId: randomUUID(),
    items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
    email: 'fan@example.com',
    returnUrl: `${shop}/cards`,
  });
  expect(started.checkoutUrl).toMatch(/^http/);
  expect(t.app.services.config.publicUrl).toBe(shop);
});

it('on PORT=0 keeps the PUBLIC_URL and ALLOWED_ORIGINS that are set', async () => {
  t = await startTestApp({
    env: { PUBLIC_URL: 'https://shop.example', ALLOWED_ORIGINS: 'https://cards.example' },
  });
  const products = await t.client.catalog.list.query();
  expect(products.find((p) => p.sku === 'PELE-1958')?.image).toBe(
    'https://shop.example/images/pele-1958.svg',
  );
  const response = await fetch(`${t.url}/healthz`, {
    headers: { origin: 'https://cards.example' },
  });
  expect(response.headers.get('content-security-policy')).toContain(
    "img-src 'self' https://shop.example ",
  );
  expect(response.headers.get('access-control-allow-origin')).toBe('https://cards.example');
  expect(t.app.services.config).toMatchObject({
    publicUrl: 'https://shop.example',
    allowedOrigins: ['https://cards.example'],
  });
});

it('npm run serve on PORT=0 prints the public URL on the port the OS picked', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-port-'));
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      DATA_DIR: dataDir,
      STRIPE_SECRET_KEY: 'sk_test_port',
      STRIPE_WEBHOOK_SECRET: 'whsec_port',
      SWEEP_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'silent',
    },
  });
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before listening`)));
    });
    const port = line.match(/listening on http:\/\/127\.0\.0\.1:(\d+) /)?.[1];
    expect(Number(port)).toBeGreaterThan(0);
    expect(line).toBe(
      `stripe-cart listening on http://127.0.0.1:${port} (public URL http://localhost:${port})`,
    );
  } finally {
    server.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
