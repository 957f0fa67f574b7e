/**
 * Webhooks as Stripe sends them, for tests that deliver them by hand: a payment the server
 * has not heard of yet (or recorded without its follow-up), its event signed with the
 * sandbox's secret, and a second server process on the test app's store to deliver to.
 */
import Stripe from 'stripe';
import { recordStripeOutcome } from '../../server/payments/record-outcome';
import type { TestApp } from './app';
import { freePort } from './free-port';
import { gate } from './gate';
import { type ServerProcess, startServerProcess } from './server-process';

/** Pays the order's session with webhooks held back; returns Stripe's completed event and its JSON. */
export async function paidUnheard(t: TestApp, order: { sessionId: string }) {
  t.sandbox.setWebhookUrl(undefined);
  try {
    await t.sandbox.pay(order.sessionId);
    const event = t.sandbox
      .events()
      .findLast(
        (e) => e.type === 'checkout.session.completed' && e.data.object.id === order.sessionId,
      );
    if (!event)
      throw new Error(`the sandbox sent no checkout.session.completed for ${order.sessionId}`);
    return { event, payload: JSON.stringify(event) };
  } finally {
    t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
  }
}

/**
 * The order's payment recorded as the server records it (its session fetched from Stripe),
 * as if the process died before the follow-up that takes the units back.
 */
export async function recordedWithoutFollowUp(
  t: TestApp,
  order: { orderId: string; sessionId: string },
) {
  const session = await t.app.services.stripe.retrieveCheckoutSession(order.sessionId);
  return recordStripeOutcome(t.app.services, {
    orderId: order.orderId,
    outcome: 'fetched',
    stripeEventId: null,
    session,
  });
}

/** POSTs `payload` to the server at `url`, signed exactly as Stripe signs it. */
export function deliver(t: TestApp, url: string, payload: string) {
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: t.sandbox.webhookSecret,
  });
  return fetch(`${url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
}

/** Another server process on the test app's data and store (SQLite or EventStoreDB), and its sandbox. */
export async function secondServer(
  t: TestApp,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  return startServerProcess({
    PORT: String(await freePort()),
    DATA_DIR: t.dataDir,
    STRIPE_SECRET_KEY: t.sandbox.secretKey,
    STRIPE_WEBHOOK_SECRET: t.sandbox.webhookSecret,
    STRIPE_API_URL: t.sandbox.url,
    ALLOWED_ORIGINS: 'http://shop.test',
    SQLITE_SYNCHRONOUS: 'NORMAL',
    ...(process.env.TEST_EVENTSTORE_URL && { EVENTSTORE_URL: process.env.TEST_EVENTSTORE_URL }),
    ...(process.env.TEST_SQLITE_WRITER_THREAD && {
      SQLITE_WRITER_THREAD: process.env.TEST_SQLITE_WRITER_THREAD,
    }),
    ...env,
  });
}

/**
 * Pays the order, its expiry's release held back on its way to the products `held` picks
 * (every one by default) until the payment's re-take has reached the products `retakes`
 * times: a payment landing between the release's read of the order and its arrival.
 */
export async function paidWhileReleaseWaits(
  t: TestApp,
  order: { orderId: string; sessionId: string },
  { held = () => true, retakes = 1 }: { held?: (sku: string) => boolean; retakes?: number } = {},
): Promise<void> {
  const { products } = t.app.services;
  const execute = products.execute.bind(products);
  const releaseReached = gate();
  const retakeDone = gate();
  const release = gate();
  let retaken = 0;
  products.execute = async (command, metadata) => {
    if (command.type === 'ReleaseStock' && command.orderId === order.orderId && held(command.sku)) {
      releaseReached.open();
      await release.opened;
    }
    const handled = await execute(command, metadata);
    if (
      command.type === 'RetakeStock' &&
      command.orderId === order.orderId &&
      ++retaken === retakes
    )
      retakeDone.open();
    return handled;
  };
  try {
    t.sandbox.sendEvent('checkout.session.expired', order.sessionId);
    await releaseReached.opened;
    await t.sandbox.pay(order.sessionId);
    await retakeDone.opened;
  } finally {
    products.execute = execute;
    release.open();
  }
  await t.sandbox.idle();
  await t.app.services.afterReply.settled();
}
