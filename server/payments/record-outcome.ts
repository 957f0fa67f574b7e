/**
 * Records what Stripe says about a session on the order, however we heard it. The
 * appended events get ids derived from the Stripe event id (or, for a re-fetched
 * session, from the session id), and the append expects the exact revision read: a
 * redelivery racing the first delivery either finds its events already written or
 * loses the race and, deciding again on the paid order, finds nothing left to do.
 */
import type { Products } from '../catalog/products';
import type { SessionFacts, StripeOutcome } from '../checkout/order';
import { orderDecider, releaseReasonOf } from '../checkout/order';
import { type Cause, releaseEndedOrderStock, retakeOrderStock } from '../checkout/order-stock';
import { handleCommand } from '../command-handler';
import type { OrderEvent } from '../domain/events';
import { orderStream } from '../domain/events';
import { deterministicId } from '../domain/ids';
import type { EventStore } from '../eventstore/port';

export interface RecordDeps {
  store: EventStore;
  products: Products;
  now: () => Date;
}

export interface Outcome {
  orderId: string;
  outcome: StripeOutcome;
  stripeEventId: string | null;
  /** When Stripe says it happened: the webhook event's `created`; absent for a re-fetched session. */
  occurredAt?: string | null;
  session: SessionFacts;
}

export interface Recorded {
  events: OrderEvent[];
  /** Slow follow-up (stock release, or a late payment's re-take) to run after the caller has answered. */
  followUp: () => Promise<void>;
}

export async function recordStripeOutcome(deps: RecordDeps, outcome: Outcome): Promise<Recorded> {
  const { orderId, stripeEventId, session } = outcome;
  const source = stripeEventId ?? `session:${session.id}`;
  // The order's events and the stock they move name the Stripe event, where one came.
  const cause: Cause = { causationId: source, ...(stripeEventId && { stripeEventId }) };
  const handled = await handleCommand(
    deps.store,
    orderStream(orderId),
    orderDecider,
    {
      type: 'RecordStripeOutcome',
      outcome: outcome.outcome,
      stripeEventId,
      session,
      at: deps.now().toISOString(),
      occurredAt: outcome.occurredAt ?? null,
    },
    {
      metadata: { correlationId: orderId, ...cause },
      eventId: (event) => deterministicId('stripe', source, event.type),
    },
  );
  const { cart, status, late } = handled.state;
  // Run on every delivery, not only the one that appended: a redelivery finishes what a
  // crash cut short, and finds nothing left to do otherwise.
  const followUp = async () => {
    if (!cart) return;
    const reason = releaseReasonOf(status);
    if (reason) {
      const at = deps.now().toISOString();
      await releaseEndedOrderStock(deps.store, deps.products, cart, reason, at, cause);
    } else if (late) await retakeOrderStock(deps.products, cart, deps.now().toISOString(), cause);
  };
  return { events: handled.events, followUp };
}
