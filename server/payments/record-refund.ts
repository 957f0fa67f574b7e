/**
 * Records the refunds Stripe made on an order's payment (in Stripe's dashboard or through its
 * API), heard of through `charge.refunded`. The charge names its payment intent, not the
 * order; the Checkout Session of that payment intent names the order. The notice says what
 * the charge has had back in all, not each refund, so the charge's refunds are listed and
 * each one not yet recorded is, with its own amount and time. A refund proves the payment,
 * so a payment not recorded yet (its webhooks lost) is recorded first, from that session.
 */
import type { ChargeFacts } from '../checkout/order';
import { orderDecider } from '../checkout/order';
import { handleCommand } from '../command-handler';
import { DomainError } from '../domain/decider';
import { orderStream } from '../domain/events';
import { deterministicId, isOrderId } from '../domain/ids';
import type { RecordDeps, Recorded } from './record-outcome';
import { recordStripeOutcome } from './record-outcome';
import type { StripeGateway } from './stripe-gateway';

export interface RefundNotice {
  stripeEventId: string;
  charge: ChargeFacts;
}

/** What was recorded; null when the payment was not made through one of this shop's checkouts. */
export async function recordRefunds(
  deps: RecordDeps & { stripe: Pick<StripeGateway, 'sessionOfPaymentIntent' | 'refundsOfCharge'> },
  notice: RefundNotice,
): Promise<(Recorded & { orderId: string }) | null> {
  const { charge, stripeEventId } = notice;
  const session = await deps.stripe.sessionOfPaymentIntent(charge.paymentIntentId);
  const orderId = session?.orderId;
  if (!session || !orderId || !isOrderId(orderId)) return null;
  const payment = await recordStripeOutcome(deps, {
    orderId,
    outcome: 'fetched',
    stripeEventId: null,
    session,
  });
  try {
    const refunds = await deps.stripe.refundsOfCharge(charge.chargeId);
    const recorded = await handleCommand(
      deps.store,
      orderStream(orderId),
      orderDecider,
      { type: 'RecordRefunds', stripeEventId, charge, refunds, at: deps.now().toISOString() },
      {
        metadata: { correlationId: orderId, causationId: stripeEventId, stripeEventId },
        // By the refund: two notices that both bring it write the same event.
        eventId: (event) =>
          deterministicId(
            'stripe',
            `refund:${(event.data as { refundId: string }).refundId}`,
            event.type,
          ),
      },
    );
    return { orderId, events: [...payment.events, ...recorded.events], followUp: payment.followUp };
  } catch (error) {
    // The refunds cannot be recorded, but the payment just was: its stock follow-up (a late
    // payment's re-take) still runs, not left for the sweep.
    if (error instanceof DomainError) await payment.followUp();
    throw error;
  }
}
