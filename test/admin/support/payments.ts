/** The payment an e2e test plants refunds and disputes on, as the webhook would record them. */
import { expect } from 'vitest';
import type { EventStore } from '../../../server/eventstore/port';
import { orderEvents } from '../../support/orders';

/** The payment Stripe took for the order, as its `PaymentCompleted` recorded it. */
export async function paymentOf(
  store: EventStore,
  orderId: string,
): Promise<{ paymentIntentId: string; amount: number }> {
  let completed: Record<string, unknown> | undefined;
  await expect
    .poll(async () => {
      const events = await orderEvents(store, orderId);
      completed = events.find((e) => e.type === 'PaymentCompleted')?.data as typeof completed;
      return completed;
    })
    .toBeDefined();
  const paymentIntentId = completed!.paymentIntentId;
  if (typeof paymentIntentId !== 'string') throw new Error(`${orderId} paid without an intent`);
  return { paymentIntentId, amount: completed!.amount as number };
}
