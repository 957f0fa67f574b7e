/**
 * A changed cart's Pay (`replaces`) is refused before its previous Pay's page is ended when
 * the catalog cannot sell it, so the shopper keeps a page they can still pay on. The units
 * the previous order holds count as free only as far as its release would not hand them to
 * late payments short of them first.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp } from '../support/app';
import { availableOf, checkout, RETURN_URL, sessionIdOf } from '../support/orders';

const SCARCE = 'REPLACE-SCARCE';
const PLENTY = 'REPLACE-PLENTY';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: [catalogEntry(SCARCE, 1), catalogEntry(PLENTY, 5)] });
});
afterAll(async () => {
  await t?.close();
});

it('keeps the previous page when the changed cart is refused because a late payment waits for the unit', async () => {
  // A late payment short of the only unit: its order expired, another shopper took the unit,
  // then the payment landed.
  const late = await checkout(t, [{ sku: SCARCE, quantity: 1 }], 'late-short@example.com');
  t.sandbox.sendEvent('checkout.session.expired', late.sessionId);
  await t.sandbox.idle();
  await t.app.services.afterReply.settled();
  const firstId = randomUUID();
  const email = 'changing@example.com';
  const first = await t.client.checkout.start.mutate({
    checkoutId: firstId,
    items: [{ sku: SCARCE, quantity: 1 }],
    email,
    returnUrl: RETURN_URL,
  });
  await t.sandbox.pay(late.sessionId);
  await t.sandbox.idle();
  await t.app.services.afterReply.settled();
  expect(await t.client.order.get.query({ orderId: late.orderId })).toMatchObject({
    status: 'paid',
    flags: { late: true },
  });
  expect(await availableOf(t, SCARCE)).toBe(0);

  // The shopper holding the unit adds another product and presses Pay again.
  const changed = t.client.checkout.start.mutate({
    checkoutId: randomUUID(),
    items: [
      { sku: SCARCE, quantity: 1 },
      { sku: PLENTY, quantity: 1 },
    ],
    email,
    returnUrl: RETURN_URL,
    replaces: [firstId],
  });
  await expect(changed).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  await t.app.services.afterReply.settled();

  // Refused: the previous page must still be payable, its unit still held for it.
  const previous = await t.client.order.get.query({ orderId: first.orderId });
  expect({
    order: previous.status,
    session: t.sandbox.session(sessionIdOf(first.checkoutUrl))?.status,
  }).toEqual({ order: 'checkout_started', session: 'open' });
});
