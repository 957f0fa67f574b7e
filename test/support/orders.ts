/** Small helpers for checkout tests: start a checkout, find the session, count events. */
import { randomUUID } from 'node:crypto';
import { orderStream } from '../../server/domain/events';
import type { EventStore, RecordedEvent } from '../../server/eventstore/port';
import { StreamNotFoundError } from '../../server/eventstore/port';
import type { TestApp } from './app';

export const RETURN_URL = 'http://shop.test/cards';

export async function checkout(
  t: TestApp,
  items: { sku: string; quantity: number }[],
  email = 'fan@example.com',
) {
  const result = await t.client.checkout.start.mutate({
    checkoutId: randomUUID(),
    items,
    email,
    returnUrl: RETURN_URL,
  });
  return { ...result, sessionId: sessionIdOf(result.checkoutUrl) };
}

/** A checkout paid on the sandbox's page, its webhooks delivered (not necessarily recorded yet). */
export async function paidOrder(
  t: TestApp,
  items: { sku: string; quantity: number }[],
  email: string,
) {
  const order = await checkout(t, items, email);
  await t.sandbox.pay(order.sessionId);
  await t.sandbox.idle();
  return order;
}

export const sessionIdOf = (checkoutUrl: string) => new URL(checkoutUrl).pathname.split('/').pop()!;

export async function orderEvents(store: EventStore, orderId: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(orderStream(orderId));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

export async function countOf(store: EventStore, orderId: string, type: string): Promise<number> {
  return (await orderEvents(store, orderId)).filter((e) => e.type === type).length;
}

export async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  return store.readAll();
}

export async function availableOf(t: TestApp, sku: string): Promise<number> {
  const list = await t.client.catalog.list.query();
  return list.find((p) => p.sku === sku)?.available ?? -1;
}

/**
 * Appends one event to an order's stream at its current revision, as a server would have:
 * the "given" of a test whose server never got to do what comes next (a crash, say).
 */
export async function givenOrderEvent(
  store: EventStore,
  orderId: string,
  type: string,
  data: Record<string, unknown>,
): Promise<void> {
  const last = (await orderEvents(store, orderId)).at(-1);
  await store.append(
    orderStream(orderId),
    [{ id: randomUUID(), type, data, metadata: { correlationId: orderId, causationId: 'test' } }],
    { expectedRevision: last ? last.revision : 'no_stream' },
  );
}
