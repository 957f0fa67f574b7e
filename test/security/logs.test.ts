/**
 * No secret, card number or full email address in any log line. The server runs with a
 * trace-level logger writing into memory while a shopper checks out and pays by card in
 * the sandbox, forged webhooks arrive and an admin works with the token (by header, and as
 * a connection param as the analytics page's live feed sends it). A second server talks to
 * a Stripe whose refusals quote the shopper's address, the key and a card number back.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox';
import { startSandbox } from '../../demo/sandbox';
import type { App } from '../../server/app';
import { startApp } from '../../server/app';
import { parseConfig } from '../../server/config';
import { orderIdFor } from '../../server/domain/ids';
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

/** A log destination keeping each line in `lines`. */
const collectorOf = (lines: string[]) =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

function startServer(stripeApiUrl: string, lines: string[]): Promise<App> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-logs-'));
  const catalogFile = path.join(dataDir, 'catalog.json');
  fs.writeFileSync(catalogFile, JSON.stringify({ products: testCatalog }));
  const config = parseConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    CATALOG_FILE: catalogFile,
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: stripeApiUrl,
    ALLOWED_ORIGINS: 'http://shop.test',
    ADMIN_TOKEN,
    SQLITE_SYNCHRONOUS: 'NORMAL',
    SWEEP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'trace',
    STRIPE_TIMEOUT_MS: '2000',
  });
  return startApp(config, { logTo: collectorOf(lines) });
}

beforeAll(async () => {
  sandbox = await startSandbox({
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    retryInitialDelayMs: 20,
    asyncDelayMs: 50,
    log: (line) => sandboxLines.push(line),
  });
  app = await startServer(sandbox.url, serverLines);
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

  // Mistyped and probing URLs: a page that does not exist, asked with the token and the
  // address in its query, or the address in its path; the token under another header.
  await send(app.url, {
    path: `/no-such-page?token=${ADMIN_TOKEN}&email=${encodeURIComponent(EMAIL)}`,
    headers: { 'x-admin-token': ADMIN_TOKEN },
  });
  await send(app.url, { path: `/orders/${encodeURIComponent(EMAIL)}` });
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
      '/no-such-page',
      '/orders/',
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

  it('name a page that does not exist by its path, its query left out', () => {
    const notFound = serverLines
      .map((line) => JSON.parse(line) as { msg?: string })
      .filter((entry) => entry.msg?.startsWith('Route '));
    expect(notFound.map((entry) => entry.msg)).toEqual([
      'Route GET:/no-such-page?[redacted] not found',
      'Route GET:/orders/v***%40example.com not found',
    ]);
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

describe('Stripe quoting a shopper’s data in its errors', () => {
  const CARD_AS_TYPED = '4242 4242 4242 4242';
  const QUOTED = `Invalid email address: ${EMAIL} (key ${SECRET_KEY}, card ${CARD_AS_TYPED})`;
  const lines: string[] = [];
  const answers: number[] = [];
  let stripe: http.Server;
  let talkative: App;

  beforeAll(async () => {
    // Stands in for Stripe: every call is answered with the next status and the quoting message.
    stripe = http.createServer((request, response) => {
      request.resume().on('end', () => {
        const status = answers.shift() ?? 400;
        const type = status >= 500 ? 'api_error' : 'invalid_request_error';
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { type, message: QUOTED } }));
      });
    });
    await new Promise<void>((resolve) => stripe.listen(0, '127.0.0.1', resolve));
    const { port } = stripe.address() as AddressInfo;
    talkative = await startServer(`http://127.0.0.1:${port}`, lines);
  });
  afterAll(async () => {
    await talkative?.close();
    await new Promise((resolve) => stripe?.close(resolve));
  });

  it.each([
    ['refuses', [400], 'BAD_GATEWAY', 'stripe_refused', 'Stripe refused'],
    ['fails twice', [500, 500], 'SERVICE_UNAVAILABLE', 'stripe_unreachable', 'Stripe unavailable'],
  ])(
    'when Stripe %s, the log says what happened, masked, and the shopper is told nothing of it',
    async (_when, statuses, code, reason, said) => {
      answers.push(...statuses);
      const from = lines.length;
      const checkoutId = randomUUID();
      const error = (await clientFor(talkative.url)
        .checkout.start.mutate({
          checkoutId,
          items: [{ sku: 'BAGGIO-1994', quantity: 1 }],
          email: EMAIL,
          returnUrl: RETURN_URL,
        })
        .catch((caught: unknown) => caught)) as { message: string; data?: { code?: string } };

      expect(error.data?.code).toBe(code);
      expect(error.message).toMatch(/^The payment provider (refused|could not be reached)/);
      const written = lines.slice(from);
      // The shopper gets none of Stripe's words, masked or not: they are for the site owner.
      expect(`${error.message} ${JSON.stringify(error.data)}`).not.toContain('Invalid email');
      for (const secret of [EMAIL, SECRET_KEY, CARD, CARD_AS_TYPED]) {
        expect(containing(written, secret)).toEqual([]);
      }
      const failed = written
        .map((line) => JSON.parse(line) as { msg?: string; reason?: string; detail?: string })
        .find((entry) => entry.msg === 'checkout failed at Stripe');
      const maskedDetail = `${said}: Invalid email address: v***@example.com (key sk_test_***, card **** **** **** 4242)`;
      // Tied to its request and checkout, so the site owner can find the shopper's attempt.
      expect(failed).toMatchObject({ reason, detail: maskedDetail, checkoutId });
      expect(failed).toHaveProperty('reqId');
      // The event is kept for good: Stripe's words are stored masked, as logged.
      const stored = await talkative.services.store.readStream(`order-${orderIdFor(checkoutId)}`);
      const checkoutFailed = stored.find((event) => event.type === 'CheckoutFailed');
      expect(checkoutFailed?.data).toMatchObject({ message: maskedDetail });
      for (const secret of [SECRET_KEY, CARD, CARD_AS_TYPED]) {
        expect(JSON.stringify(checkoutFailed?.data)).not.toContain(secret);
      }
    },
  );
});
