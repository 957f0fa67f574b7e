/**
 * The sweep judges a session still open at Stripe by Stripe's clock, read from the Date header
 * of the retrieve. When that header is missing or unreadable (a proxy between this server and
 * Stripe that drops or rewrites it), it leaves the session open too rather than fall back to
 * this server's clock: a clock jump here must not end a shopper's payment.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox';
import { startSandbox } from '../../demo/sandbox';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp } from '../support/app';
import { availableOf, checkout, orderEvents } from '../support/orders';

const SKU = 'REVIEW-SWEEP-DATE';
const GRACE_SECONDS = 60;
const PAST_EXPIRY_MS = (31 * 60 + GRACE_SECONDS + 1) * 1000;

/** A reverse proxy to the sandbox that replaces Stripe's Date header with `date(it)` (undefined: none). */
async function proxyTo(target: string, date: (upstream: string | undefined) => string | undefined) {
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      `${target}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (reply) => {
        res.sendDate = false;
        const headers = { ...reply.headers };
        const value = date(headers.date);
        delete headers.date;
        if (value !== undefined) headers.date = value;
        res.writeHead(reply.statusCode ?? 502, headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const [what, date] of [
  ['no Date header', () => undefined],
  ['a garbled Date header', () => 'not a date'],
  // The control: Stripe's own Date passed through, as the sweep's own tests have it (passes).
  ["Stripe's own Date header", (upstream: string | undefined) => upstream],
] as const) {
  describe(`the sweep when Stripe's reply reaches it with ${what}`, () => {
    let sandbox: Sandbox;
    let proxy: Awaited<ReturnType<typeof proxyTo>>;
    let t: TestApp;
    let offsetMs = 0;
    beforeAll(async () => {
      sandbox = await startSandbox({ retryInitialDelayMs: 20, asyncDelayMs: 50 });
      proxy = await proxyTo(sandbox.url, date);
      t = await startTestApp({
        catalog: [catalogEntry(SKU, 10)],
        sharedSandbox: sandbox,
        now: () => new Date(Date.now() + offsetMs),
        env: {
          STRIPE_API_URL: proxy.url,
          RESERVATION_GRACE_SECONDS: String(GRACE_SECONDS),
        },
      });
    });
    afterAll(async () => {
      await t?.close();
      await proxy?.close();
      await sandbox?.close();
    });

    it("leaves open a session Stripe has open when it cannot read Stripe's clock, so the shopper can still pay", async () => {
      t.sandbox.setWebhookUrl(undefined);
      try {
        const before = await availableOf(t, SKU);
        const order = await checkout(t, [{ sku: SKU, quantity: 2 }]);

        // Our clock jumps past the expiry; Stripe's does not (its session is open, not due).
        offsetMs += PAST_EXPIRY_MS;
        await t.app.sweep();
        expect(t.sandbox.session(order.sessionId)?.status).toBe('open');
        const types = (await orderEvents(t.app.services.store, order.orderId)).map((e) => e.type);
        expect(types).toEqual(['CartValidated', 'CheckoutStarted']);
        expect(await availableOf(t, SKU)).toBe(before - 2);
        expect(await t.sandbox.pay(order.sessionId)).toMatchObject({
          redirectUrl: expect.any(String),
        });
      } finally {
        t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
      }
    });
  });
}
