/**
 * Stripe (or a proxy in front of it) answering checkout.sessions.create with 200 and a body
 * that is no Checkout Session: the checkout fails as when Stripe cannot be reached, with
 * CheckoutFailed and its stock given back, never a 500 with the stock held.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { orderIdFor } from '../../server/domain/ids';
import { startTestApp, type TestApp } from '../support/app';
import { availableOf, orderEvents, RETURN_URL } from '../support/orders';

let notStripe: http.Server;
let t: TestApp;
beforeAll(async () => {
  notStripe = http.createServer((request, response) => {
    request.resume();
    request.on('end', () =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        // No expires_at, and a status Stripe never sends.
        .end(
          JSON.stringify({
            id: 'cs_test_odd',
            object: 'checkout.session',
            url: 'https://pay.example/x',
            status: 'weird',
            payment_status: 'unpaid',
          }),
        ),
    );
  });
  await new Promise<void>((resolve) => notStripe.listen(0, '127.0.0.1', resolve));
  const { port } = notStripe.address() as AddressInfo;
  t = await startTestApp({ env: { STRIPE_API_URL: `http://127.0.0.1:${port}` } });
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => notStripe?.close(resolve));
});

it('fails the checkout as Stripe unreachable and gives its stock back', async () => {
  const before = await availableOf(t, 'BAGGIO-1994');
  const checkoutId = randomUUID();
  await expect(
    t.client.checkout.start.mutate({
      checkoutId,
      items: [{ sku: 'BAGGIO-1994', quantity: 2 }],
      email: 'fan@example.com',
      returnUrl: RETURN_URL,
    }),
  ).rejects.toMatchObject({ data: { code: 'SERVICE_UNAVAILABLE' } });
  const events = await orderEvents(t.app.services.store, orderIdFor(checkoutId));
  expect(events.map((e) => e.type)).toEqual(['CartValidated', 'CheckoutFailed']);
  expect(events[1]!.data).toMatchObject({ reason: 'stripe_unreachable' });
  await expect.poll(() => availableOf(t, 'BAGGIO-1994')).toBe(before);
});
