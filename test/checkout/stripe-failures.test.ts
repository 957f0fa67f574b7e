import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { availableOf, checkout, orderEvents } from '../support/orders';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function failedCheckout(sku: string) {
  const before = await availableOf(t, sku);
  const error = await checkout(t, [{ sku, quantity: 2 }]).then(
    () => undefined,
    (e: { data?: { code?: string; httpStatus?: number }; message: string }) => e,
  );
  const recent = await t.app.services.store.readAll({ direction: 'backwards', maxCount: 50 });
  const orderId = recent.find((e) => e.type === 'CheckoutFailed')?.streamId.slice('order-'.length);
  return { before, error, orderId };
}

describe('Stripe refusing or unreachable during checkout.start', () => {
  it.each([
    // The gateway retries a network or 5xx failure once, so those faults are queued twice.
    ['a 500 from Stripe', 'http500' as const, 2, 'SERVICE_UNAVAILABLE', 'stripe_unreachable'],
    ['a connection reset', 'reset' as const, 2, 'SERVICE_UNAVAILABLE', 'stripe_unreachable'],
    ['a timeout', 'timeout' as const, 2, 'SERVICE_UNAVAILABLE', 'stripe_unreachable'],
    ['a refusal', 'card_error' as const, 1, 'BAD_GATEWAY', 'stripe_refused'],
  ])(
    '%s: a clear error, CheckoutFailed, stock released',
    async (_name, fault, count, code, reason) => {
      t.sandbox.failNext(fault, count);
      const { before, error, orderId } = await failedCheckout('BAGGIO-1994');
      expect(error?.data?.code).toBe(code);
      expect(error?.message).toMatch(/payment provider/);
      const events = await orderEvents(t.app.services.store, orderId!);
      expect(events.map((e) => e.type)).toEqual(['CartValidated', 'CheckoutFailed']);
      expect((events[1]!.data as { reason: string }).reason).toBe(reason);
      expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
    },
  );

  it('a response lost on the way back is retried with the same idempotency key: one session', async () => {
    t.sandbox.failNext('lost_response', 1);
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    expect(
      t.sandbox.sessions().filter((s) => s.client_reference_id === order.orderId),
    ).toHaveLength(1);
    expect((await t.client.order.get.query({ orderId: order.orderId })).status).toBe(
      'checkout_started',
    );
  });
});
