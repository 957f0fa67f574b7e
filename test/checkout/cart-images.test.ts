/**
 * A cart's product images are made absolute once, when it is validated: the order's view
 * then shows them on any origin, and every server resuming the checkout (two processes on
 * one DATA_DIR, each with its own PUBLIC_URL, or one restarted with another) sends Stripe
 * the same parameters under the checkout's idempotency key.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCheckout } from '../../server/checkout/start-checkout';
import { orderIdFor } from '../../server/domain/ids';
import type { TestApp } from '../support/app';
import { startTestApp, testCatalog } from '../support/app';
import { checkout, orderEvents, RETURN_URL } from '../support/orders';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp({ catalog: testCatalog });
  b = await startTestApp({ catalog: testCatalog, dataDir: a.dataDir, sharedSandbox: a.sandbox });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

it('a retry on the other server resumes the checkout Stripe made for the first, which died', async () => {
  const { services } = a.app;
  const input = {
    checkoutId: randomUUID(),
    // A catalog image given as a path: the server prefixes it with its PUBLIC_URL.
    items: [{ sku: 'PELE-1958', quantity: 1 }],
    email: 'resume@example.com',
    returnUrl: RETURN_URL,
  };
  const dying = Object.assign(Object.create(services.stripe), {
    createCheckoutSession: async (request: never) => {
      await services.stripe.createCheckoutSession(request);
      throw new Error('SIGKILL'); // Stripe made the session; the process dies before storing it.
    },
  });
  await expect(
    startCheckout(
      { ...services, publicUrl: services.config.publicUrl, stripe: dying },
      { ...input, client: '127.0.0.1' },
    ),
  ).rejects.toThrow('SIGKILL');
  const orderId = orderIdFor(input.checkoutId);
  expect(a.sandbox.sessions().filter((s) => s.client_reference_id === orderId)).toHaveLength(1);

  const resumed = await b.client.checkout.start.mutate(input);
  expect(resumed.orderId).toBe(orderId);
  expect((await orderEvents(services.store, orderId)).map((e) => e.type)).toEqual([
    'CartValidated',
    'CheckoutStarted',
  ]);
});

it('shows the order with its images as catalog.list gives them, absolute from PUBLIC_URL', async () => {
  const listed = await a.client.catalog.list.query();
  const product = listed.find((p) => p.sku === 'PELE-1958')!;
  expect(product.image).toMatch(/^http:\/\/localhost:\d+\/images\/pele-1958\.svg$/);
  const { orderId } = await checkout(a, [{ sku: 'PELE-1958', quantity: 1 }]);
  // A page on another origin would resolve a bare path against its own.
  expect((await a.client.order.get.query({ orderId })).lines[0]!.image).toBe(product.image);
});
