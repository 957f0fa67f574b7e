/**
 * Records what happens to an order's charge after the payment: refunds Stripe made (in its
 * dashboard or through its API, heard of through `charge.refunded`), refunds that failed
 * since (`charge.refund.updated`), and disputes the shopper's bank opened
 * (`charge.dispute.*`). The charge names its payment intent, not the order; the Checkout
 * Session of that payment intent names the order. Either proves the
 * payment, so a payment not recorded yet (its webhooks lost) is recorded first, from that
 * session.
 */
import type { ChargeFacts, DisputeFacts, OrderCommand } from '../checkout/order';
import { orderDecider } from '../checkout/order';
import { handleCommand } from '../command-handler';
import { DomainError } from '../domain/decider';
import { orderStream } from '../domain/events';
import { deterministicId, isOrderId } from '../domain/ids';
import type { RecordDeps, Recorded } from './record-outcome';
import { recordStripeOutcome } from './record-outcome';
import { type StripeGateway, StripeMissingError } from './stripe-gateway';

type ChargeDeps = RecordDeps & {
  stripe: Pick<StripeGateway, 'sessionOfPaymentIntent' | 'refundsOfCharge' | 'chargeFacts'>;
};

/** What was recorded, and on which order. */
export type ChargeNews = Recorded & { orderId: string };

/**
 * The charge's refunds not recorded yet, and those recorded that failed since. A notice says
 * what the charge has had back in all, or shows one refund, so the charge's refunds are
 * listed and each is recorded with its own amount and time, once (its event ids are the
 * refund's). `charge` is read from Stripe when the notice names it only.
 */
export async function recordRefunds(
  deps: ChargeDeps,
  notice: {
    stripeEventId: string;
    occurredAt: string | null;
    charge: ChargeFacts | string;
    /** The refund a notice of a refund's update is about. */
    refundId?: string | undefined;
  },
): Promise<ChargeNews | null> {
  const { stripeEventId, occurredAt, refundId } = notice;
  const charge =
    typeof notice.charge === 'string' ? await chargeNamed(deps, notice.charge) : notice.charge;
  if (!charge) return null;
  return onOrderOf(deps, charge, { by: 'refund', stripeEventId }, async (at) => {
    const refunds = await deps.stripe.refundsOfCharge(charge.chargeId);
    return { type: 'RecordRefunds', stripeEventId, charge, refunds, at, occurredAt, refundId };
  });
}

/**
 * A dispute's opening and closing. The event shows the dispute, not the charge's total,
 * which an Adaptive Pricing payment needs to be told in the order's currency: the charge is
 * read too.
 */
export async function recordDispute(
  deps: ChargeDeps,
  notice: { stripeEventId: string; dispute: DisputeFacts; occurredAt: string | null },
): Promise<ChargeNews | null> {
  const charge = await chargeNamed(deps, notice.dispute.chargeId);
  if (!charge) return null;
  const cause = { by: 'dispute', stripeEventId: notice.stripeEventId } as const;
  return onOrderOf(deps, charge, cause, async (at) => ({
    type: 'RecordDispute',
    ...notice,
    charge,
    at,
  }));
}

/** The charge as Stripe has it; null when Stripe has none, or it was not a payment intent's. */
function chargeNamed(deps: ChargeDeps, chargeId: string): Promise<ChargeFacts | null> {
  return deps.stripe.chargeFacts(chargeId).catch((error: unknown) => {
    // No order of this shop's account can ever have made a charge Stripe does not have.
    if (error instanceof StripeMissingError) return null;
    throw error;
  });
}

/**
 * Decides `command` on the order that took the charge; null when the payment was not made
 * through one of this shop's checkouts. Event ids come from each event's refund or dispute
 * id (`by`) and type, so two notices that both bring one write the same event.
 */
async function onOrderOf(
  deps: ChargeDeps,
  charge: ChargeFacts,
  { by, stripeEventId }: { by: 'refund' | 'dispute'; stripeEventId: string },
  command: (at: string) => Promise<OrderCommand>,
): Promise<ChargeNews | null> {
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
    const decided = await command(deps.now().toISOString());
    const recorded = await handleCommand(deps.store, orderStream(orderId), orderDecider, decided, {
      metadata: { correlationId: orderId, causationId: stripeEventId, stripeEventId },
      eventId: (event) => {
        const data = event.data as { refundId?: string; disputeId?: string; closing?: number };
        // A dispute closed again (an appeal) is another event than its first closing.
        const again = (data.closing ?? 1) > 1 ? `#${data.closing}` : '';
        return deterministicId('stripe', `${by}:${data[`${by}Id`]}`, `${event.type}${again}`);
      },
    });
    return { orderId, events: [...payment.events, ...recorded.events], followUp: payment.followUp };
  } catch (error) {
    // Nothing more can be recorded, but the payment just was: its stock follow-up (a late
    // payment's re-take) still runs, not left for the sweep.
    if (error instanceof DomainError) await payment.followUp();
    throw error;
  }
}
