/**
 * Records a refund Stripe made on an order's payment (`charge.refunded`), made in Stripe's
 * dashboard or through its API. The charge names its payment intent, not the order; the
 * Checkout Session of that payment intent names the order. A refund proves the payment, so
 * a payment not recorded yet (its webhooks lost) is recorded first, from that session.
 */
import type { RefundFacts } from '../checkout/order';
import { orderDecider } from '../checkout/order';
import { handleCommand } from '../command-handler';
import { orderStream } from '../domain/events';
import { deterministicId } from '../domain/ids';
import type { RecordDeps, Recorded } from './record-outcome';
import { recordStripeOutcome } from './record-outcome';
import type { StripeGateway } from './stripe-gateway';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RefundNotice {
  stripeEventId: string;
  /** When Stripe says it happened: the webhook event's `created`. */
  occurredAt: string | null;
  refund: RefundFacts;
}

/** What was recorded; null when the payment was not made through one of this shop's checkouts. */
export async function recordRefund(
  deps: RecordDeps & { stripe: Pick<StripeGateway, 'sessionOfPaymentIntent'> },
  notice: RefundNotice,
): Promise<(Recorded & { orderId: string }) | null> {
  const session = await deps.stripe.sessionOfPaymentIntent(notice.refund.paymentIntentId);
  const orderId = session?.orderId;
  if (!session || !orderId || !UUID.test(orderId)) return null;
  const payment = await recordStripeOutcome(deps, {
    orderId,
    outcome: 'fetched',
    stripeEventId: null,
    session,
  });
  const { stripeEventId } = notice;
  const refunded = await handleCommand(
    deps.store,
    orderStream(orderId),
    orderDecider,
    {
      type: 'RecordRefund',
      stripeEventId,
      refund: notice.refund,
      at: deps.now().toISOString(),
      occurredAt: notice.occurredAt,
    },
    {
      metadata: { correlationId: orderId, causationId: stripeEventId, stripeEventId },
      eventId: (event) => deterministicId('stripe', stripeEventId, event.type),
    },
  );
  return { orderId, events: [...payment.events, ...refunded.events], followUp: payment.followUp };
}
