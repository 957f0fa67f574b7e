/**
 * Ends an open checkout before Stripe would: for the sweep, once the reservation outlived
 * its session (a lost `expired` webhook), and for a shopper who cancelled on Stripe's page.
 * Stripe is asked first, so a payment is recorded rather than swept, and a session still
 * open there is expired before its stock goes back, so it can no longer be paid. The sweep
 * goes by Stripe's clock: a session Stripe says is not yet due is left open.
 */
import type { Products } from '../catalog/products';
import { handleCommand, loadStream } from '../command-handler';
import { orderStream } from '../domain/events';
import type { EventStore } from '../eventstore/port';
import { recordStripeOutcome } from '../payments/record-outcome';
import type { StripeGateway } from '../payments/stripe-gateway';
import {
  StripeBusyError,
  StripeMissingError,
  StripeRefusedError,
  StripeUnavailableError,
} from '../payments/stripe-gateway';
import { orderDecider } from './order';
import { releaseEndedOrderStock } from './order-stock';

export interface EndCheckoutDeps {
  store: EventStore;
  products: Products;
  stripe: StripeGateway;
  now: () => Date;
}

/**
 * What became of the order: `ended` (expired, its stock given back), `paid` (Stripe had
 * taken the payment: now recorded), `ask again` (Stripe could not say; nothing changed),
 * `not due` (for the sweep, not yet expired by Stripe's clock: ours is ahead; nothing
 * changed), or
 * `unchanged` (not open, or a mismatched payment the site owner settles).
 */
export type Ended = 'ended' | 'paid' | 'ask again' | 'not due' | 'unchanged';

export async function endOpenCheckout(
  deps: EndCheckoutDeps,
  orderId: string,
  options: { reason: 'swept' | 'cancelled'; causationId: string; onlyStarted?: boolean },
  tries = 2,
): Promise<Ended> {
  const { state } = await loadStream(deps.store, orderStream(orderId), orderDecider);
  if (!state.cart || (state.status !== 'validated' && state.status !== 'checkout_started'))
    return 'unchanged';
  // A checkout.start still in flight owns a validated order: only the sweep, long after
  // any such call, ends one.
  if (options.onlyStarted && state.status !== 'checkout_started') return 'unchanged';
  // Money was taken, but not the order's amount: the site owner settles it (refund or
  // fulfil), so its stock stays held and Stripe is not asked again.
  if (state.mismatches.length > 0) return 'unchanged';
  if (state.checkout) {
    const session = await unpayable(deps.stripe, state.checkout.sessionId, options.reason);
    if (session === 'ask again' || session === 'not due') return session;
    if (session !== 'unpayable') {
      const recorded = await recordStripeOutcome(deps, {
        orderId,
        outcome: 'fetched',
        stripeEventId: null,
        session,
      });
      await recorded.followUp();
      return recorded.events.some((event) => event.type === 'PaymentCompleted')
        ? 'paid'
        : 'unchanged';
    }
  }
  const at = deps.now().toISOString();
  const handled = await handleCommand(
    deps.store,
    orderStream(orderId),
    orderDecider,
    { type: 'SweepCheckout', at, sessionId: state.checkout?.sessionId ?? null },
    { metadata: { correlationId: orderId, causationId: options.causationId } },
  );
  if (handled.state.status !== 'expired') {
    // Its request got a session after the order was read (still on its way to Stripe then):
    // read again, so Stripe is told to end that session before the stock goes back.
    if (handled.state.checkout && !state.checkout && tries > 1)
      return endOpenCheckout(deps, orderId, options, tries - 1);
    return 'unchanged';
  }
  // Also when another process expired it first: its release may not have run.
  await releaseEndedOrderStock(deps.store, deps.products, state.cart, options.reason, at, {
    causationId: options.causationId,
  });
  // Ended by this call: two processes sweeping at once report the order once.
  return handled.events.length > 0 ? 'ended' : 'unchanged';
}

type SessionFacts = Awaited<ReturnType<StripeGateway['retrieveCheckoutSession']>>;

/**
 * Makes sure a session can no longer be paid: 'unpayable' once Stripe has expired it (or
 * never had it: another account's or mode's keys); the session when it was completed (a
 * payment to record); 'ask again' when Stripe could not say this round; 'not due' when the
 * sweep finds it open before its expiry on Stripe's clock (or Stripe's clock unknown).
 */
async function unpayable(
  stripe: StripeGateway,
  sessionId: string,
  reason: 'swept' | 'cancelled',
): Promise<SessionFacts | 'unpayable' | 'ask again' | 'not due'> {
  try {
    const reading = await stripe.readCheckoutSession(sessionId);
    let { session } = reading;
    if (session.status === 'open' && session.paymentStatus === 'unpaid') {
      // Open at Stripe past its expiry on our clock. Before it on Stripe's, ours is ahead (a
      // jump, drift) and the shopper may be paying: the sweep waits for Stripe to end it, as
      // it does when Stripe's clock cannot be read (ending a payment is worse than holding
      // stock a while). Past it on Stripe's too, Stripe's own expiry runs late: ended there
      // before the stock goes back. A shopper's cancel ends it whatever the time.
      const { stripeTime } = reading;
      if (reason === 'swept' && (stripeTime === null || stripeTime < Date.parse(session.expiresAt)))
        return 'not due';
      session = await expireOrReread(stripe, sessionId);
    }
    return session.paymentStatus !== 'unpaid' || session.status === 'complete'
      ? session
      : 'unpayable';
  } catch (error) {
    if (error instanceof StripeMissingError) return 'unpayable';
    // Refused includes an expiry that lost the race to a payment: the next round records it.
    // Busy: Stripe is still answering another request about this session.
    if (
      error instanceof StripeUnavailableError ||
      error instanceof StripeRefusedError ||
      error instanceof StripeBusyError
    )
      return 'ask again';
    throw error;
  }
}

/**
 * Expires the session; when Stripe refuses because something ended it first (another
 * cancel, the sweep, a payment), the session as it is now. Still open: asked again later.
 */
async function expireOrReread(stripe: StripeGateway, sessionId: string): Promise<SessionFacts> {
  try {
    return await stripe.expireCheckoutSession(sessionId);
  } catch (error) {
    if (!(error instanceof StripeRefusedError)) throw error;
    const session = await stripe.retrieveCheckoutSession(sessionId);
    if (session.status === 'open') throw error;
    return session;
  }
}
