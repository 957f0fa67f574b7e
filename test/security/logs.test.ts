/**
 * No secret, card number or full email address in any log line. The server runs with a
 * trace-level pino logger writing into memory while a shopper checks out and pays by
 * card in the sandbox, forged webhooks arrive and an admin works with the token (by
 * header, and as a connection param as the analytics page's live feed sends it).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox';
import { startSandbox } from '../../demo/sandbox';
import type { App } from '../../server/app';
import { startApp } from '../../server/app';
import { parseConfig } from '../../server/config';
import { clientFor, testCatalog } from '../support/app';
import { RETURN_URL, sessionIdOf } from '../support/orders';
import { send } from './support/http';
import { nowSeconds, postWebhook, sign } from './support/webhooks';

const SECRET_KEY = 'sk_test_LogsSecretKey0123456789';
const WEBHOOK_SECRET = 'whsec_LogsWebhookSecret0123456789';
const ADMIN_TOKEN = 'logs-admin-token-5f0c2a9e1b7d';
const EMAIL = 'very.private.shopper@example.com';
const CARD = '4242424242424242';

const serverLines: string[] = [];
const sandboxLines: string[] = [];
let sandbox: Sandbox;
let app: App;

const collector = new Writable({
  write(chunk: Buffer, _encoding, done) {
    serverLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-logs-'));
  const catalogFile = path.join(dataDir, 'catalog.json');
  fs.writeFileSync(catalogFile, JSON.stringify({ products: testCatalog }));
  sandbox = await startSandbox({
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    retryInitialDelayMs: 20,
    asyncDelayMs: 50,
    log: (line) => sandboxLines.push(line),
  });
  const config = parseConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    CATALOG_FILE: catalogFile,
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: sandbox.url,
    ALLOWED_ORIGINS: 'http://shop.test',
    ADMIN_TOKEN,
    SQLITE_SYNCHRONOUS: 'NORMAL',
    SWEEP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'trace',
    STRIPE_TIMEOUT_MS: '2000',
  });
  app = await startApp(config, { log: pino({ level: 'trace' }, collector) });
  sandbox.setWebhookUrl(`${app.url}/webhooks/stripe`);
  await exercise();
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
});

/** Everything that handles a secret, a card or an email address, once. */
async function exercise() {
  const shopper = clientFor(app.url);
  const admin = clientFor(app.url, { authorization: `Bearer ${ADMIN_TOKEN}` });
  const start = (quantity = 1) =>
    shopper.checkout.start.mutate({
      checkoutId: randomUUID(),
      items: [{ sku: 'BAGGIO-1994', quantity }],
      email: EMAIL,
      returnUrl: RETURN_URL,
    });

  const paid = await start();
  await sandbox.pay(sessionIdOf(paid.checkoutUrl), { card: CARD, email: EMAIL });
  const declined = await start();
  await sandbox.pay(sessionIdOf(declined.checkoutUrl), { card: '4000000000000002', email: EMAIL });
  await sandbox.idle();
  // The success page's check, as the widget makes it.
  const order = await shopper.order.get.query({
    orderId: paid.orderId,
    sessionId: sessionIdOf(paid.checkoutUrl),
  });
  expect(order.status).toBe('paid');

  // Refused checkouts still carry the address.
  await expect(
    shopper.checkout.start.mutate({
      checkoutId: randomUUID(),
      items: [{ sku: 'NO-SUCH-CARD', quantity: 1 }],
      email: EMAIL,
      returnUrl: 'https://evil.example/',
    }),
  ).rejects.toThrow();
  sandbox.failNext('card_error');
  await expect(start()).rejects.toThrow();
  sandbox.failNext('http500', 3);
  await expect(start()).rejects.toThrow();

  // Forged and stale webhooks, with secrets in their headers.
  const payload = JSON.stringify({ id: 'evt_x', type: 'checkout.session.completed', data: {} });
  await postWebhook(t(), payload, { 'stripe-signature': sign(payload, 'whsec_wrong_secret') });
  await postWebhook(t(), payload, {
    'stripe-signature': sign(payload, WEBHOOK_SECRET, nowSeconds() - 3600),
  });
  await postWebhook(t(), 'not json', { 'stripe-signature': `t=1,v1=${WEBHOOK_SECRET}` });

  // The admin at work: by header, searching orders by address, and the live feed.
  await admin.admin.products.query();
  await admin.admin.adjustStock.mutate({ sku: 'BAGGIO-1994', delta: 1, reason: 'found one' });
  await admin.analytics.orders.query({ email: EMAIL });
  await send(app.url, {
    path: `/trpc/analytics.watch?connectionParams=${encodeURIComponent(JSON.stringify({ token: ADMIN_TOKEN }))}`,
    readMs: 300,
  });
  await send(app.url, {
    path: '/trpc/admin.products',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}x` },
  });
}

/** postWebhook wants a TestApp-like target; only its url is read. */
const t = () => ({ url: app.url }) as Parameters<typeof postWebhook>[0];

const SECRETS: [string, string][] = [
  ['the Stripe secret key', SECRET_KEY],
  ['the webhook secret', WEBHOOK_SECRET],
  ['the admin token', ADMIN_TOKEN],
  ['the card number', CARD],
  ['the card number as typed', '4242 4242 4242 4242'],
  ['the declined card number', '4000000000000002'],
  ['the shopper’s full email address', EMAIL],
  ['the shopper’s email address, URL-encoded', encodeURIComponent(EMAIL)],
];

const containing = (lines: string[], secret: string) =>
  lines.filter((line) => line.toLowerCase().includes(secret.toLowerCase()));

describe('server log lines', () => {
  it('were captured at trace level, as JSON with request ids', () => {
    expect(serverLines.length).toBeGreaterThan(20);
    const parsed = serverLines.map(
      (line) => JSON.parse(line) as { reqId?: unknown; req?: unknown },
    );
    expect(parsed.filter((entry) => entry.req !== undefined).every((e) => e.reqId)).toBe(true);
  });

  it('cover the requests that carry secrets (the checks below are not vacuous)', () => {
    for (const route of [
      '/trpc/checkout.start',
      '/trpc/analytics.orders',
      '/trpc/analytics.watch',
      '/webhooks/stripe',
    ]) {
      expect(
        serverLines.some((line) => line.includes(route)),
        route,
      ).toBe(true);
    }
  });

  it.each(SECRETS)('never contain %s', (_name, secret) => {
    expect(containing(serverLines, secret)).toEqual([]);
  });
});

describe('sandbox log lines', () => {
  it.each(SECRETS.filter(([name]) => !name.includes('admin')))(
    'never contain %s',
    (_name, secret) => {
      expect(sandboxLines.length).toBeGreaterThan(0);
      expect(containing(sandboxLines, secret)).toEqual([]);
    },
  );
});
