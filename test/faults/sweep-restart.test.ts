/**
 * Reservations that outlive their session *and* the server that took them: the sweep in
 * a restarted server still finds them (test/checkout/sweep.test.ts covers one process).
 * The server runs in-process here because the sweep reads the server's clock, which a
 * test can only move in-process; each restart closes the app and opens a new one on the
 * same data dir, with nothing carried over in memory.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox';
import { startSandbox } from '../../demo/sandbox';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { availableOf, checkout, countOf, givenOrderEvent, orderEvents } from '../support/orders';
import { recordedWithoutFollowUp } from '../support/webhooks';

const GRACE_SECONDS = 60;
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);
const options = { now, env: { RESERVATION_GRACE_SECONDS: String(GRACE_SECONDS) } };

let sandbox: Sandbox;
let t: TestApp;
beforeAll(async () => {
  sandbox = await startSandbox({ retryInitialDelayMs: 20 });
  t = await startTestApp({ ...options, sharedSandbox: sandbox });
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
  if (t) fs.rmSync(t.dataDir, { recursive: true, force: true });
});

/** A new server on the same data dir and sandbox; webhooks stay off until a test turns them on. */
async function restart() {
  await t.close();
  t = await startTestApp({ ...options, dataDir: t.dataDir, sharedSandbox: sandbox });
  sandbox.setWebhookUrl(undefined);
}

describe('reservations that outlive their session, across restarts', () => {
  it('a restarted server sweeps the lost-webhook reservation, records the lost payment, and the swept session cannot be paid', async () => {
    sandbox.setWebhookUrl(undefined);
    const before = await availableOf(t, 'BAGGIO-1994');
    const abandoned = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);
    const paidUnheard = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    await sandbox.pay(paidUnheard.sessionId);

    await restart();
    // Stripe's clock moves on too, its expiry running late: both sessions are still open there.
    const pastExpiry = (31 * 60 + GRACE_SECONDS + 1) * 1000;
    offsetMs += pastExpiry;
    sandbox.advanceClock(pastExpiry, { expireDue: false });
    // The restarted read models may still be catching up: sweep until both orders are handled.
    const handled = { swept: new Set<string>(), paid: new Set<string>() };
    await expect
      .poll(async () => {
        const result = await t.app.sweep();
        for (const id of result.swept) handled.swept.add(id);
        for (const id of result.paid) handled.paid.add(id);
        return handled.swept.has(abandoned.orderId) && handled.paid.has(paidUnheard.orderId);
      })
      .toBe(true);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 1);
    expect((await orderEvents(t.app.services.store, abandoned.orderId)).at(-1)?.type).toBe(
      'CheckoutExpired',
    );
    expect(await countOf(t.app.services.store, paidUnheard.orderId, 'PaymentCompleted')).toBe(1);

    await restart();
    expect(await t.app.sweep()).toEqual({
      swept: [],
      paid: [],
      deferred: [],
      notDue: [],
      released: [],
      retaken: [],
      failed: [],
    });
    // The sweep ended the session at Stripe before giving its stock back: nobody can pay it.
    sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    expect(await sandbox.pay(abandoned.sessionId)).toMatchObject({ error: expect.any(String) });
    await sandbox.idle();
    expect((await t.client.order.get.query({ orderId: abandoned.orderId })).status).toBe('expired');
    expect(await countOf(t.app.services.store, abandoned.orderId, 'PaymentCompleted')).toBe(0);
  });

  it('gives back the stock of an order whose release a crash cut short, once, after a restart', async () => {
    const before = await availableOf(t, 'BAGGIO-1994');
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);
    // Given: the expired webhook's append was stored and the server died before the release.
    await givenOrderEvent(t.app.services.store, order.orderId, 'CheckoutExpired', {
      orderId: order.orderId,
      stripeEventId: 'evt_expired_then_crash',
      sessionId: order.sessionId,
      at: now().toISOString(),
    });
    await restart();
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);

    offsetMs += (GRACE_SECONDS + 1) * 1000;
    await expect.poll(async () => (await t.app.sweep()).released).toEqual([order.orderId]);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
    const releases = (await t.app.services.store.readStream('product-BAGGIO-1994')).filter(
      (e) =>
        e.type === 'StockReleased' && (e.data as { orderId: string }).orderId === order.orderId,
    );
    expect(releases.map((e) => (e.data as { reason: string }).reason)).toEqual(['expired']);

    // Released once: neither the next round nor a new walk after a restart finds it again.
    expect((await t.app.sweep()).released).toEqual([]);
    await restart();
    await expect.poll(() => availableOf(t, 'BAGGIO-1994')).toBe(before);
    expect((await t.app.sweep()).released).toEqual([]);
  });

  it('takes back the units of a late payment whose re-take a crash cut short, once, after a restart', async () => {
    sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
    const before = await availableOf(t, 'BAGGIO-1994');
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 2 }]);
    // Given: the order expired and gave its stock back while the shopper was paying...
    sandbox.sendEvent('checkout.session.expired', order.sessionId);
    await sandbox.idle();
    await t.app.services.afterReply.settled();
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);
    sandbox.setWebhookUrl(undefined);
    await sandbox.pay(order.sessionId);
    // ...and the server recorded the payment, then died before taking the units back.
    await recordedWithoutFollowUp(t, order);
    await restart();
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before);

    await expect.poll(async () => (await t.app.sweep()).retaken).toEqual([order.orderId]);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
    const retaken = (await t.app.services.store.readStream('product-BAGGIO-1994')).filter(
      (e) => e.type === 'StockRetaken' && (e.data as { orderId: string }).orderId === order.orderId,
    );
    expect(retaken.map((e) => (e.data as { quantity: number }).quantity)).toEqual([2]);

    // Taken once: neither the next round nor a restarted server takes them again.
    expect((await t.app.sweep()).retaken).toEqual([]);
    await restart();
    expect((await t.app.sweep()).retaken).toEqual([]);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before - 2);
  });
});
