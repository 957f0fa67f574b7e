import { TRPCError, tracked } from '@trpc/server';
import { z } from 'zod';
import type { OrderView } from '../../../projections/order';
import { endOpenCheckout } from '../../checkout/end-checkout';
import { orderStream } from '../../domain/events';
import { maskedEmail } from '../../masking';
import type { OrderSnapshot } from '../../orders';
import { readOrder } from '../../orders';
import { type Recorded, recordStripeOutcome } from '../../payments/record-outcome';
import {
  StripeBusyError,
  StripeRefusedError,
  StripeUnavailableError,
} from '../../payments/stripe-gateway';
import type { Services } from '../../services';
import { publicProcedure, router } from '../trpc';

const OrderId = z.string().uuid();

/**
 * What the holder of an order id sees. The id travels in the return URL (browser history,
 * Referer, the site's analytics), so the view leaves out the payment page and Stripe's
 * payment id, masks the shopper's email, and names the session only to a caller who
 * brought it (Stripe puts it in the success URL). A late payment's shortfall is the site
 * owner's to settle (and is recorded on product streams, which this fold does not read).
 */
function shopperView(view: OrderView, sessionId?: string) {
  const { checkoutUrl: _page, paymentIntentId: _payment, shortfall: _shortfall, ...shown } = view;
  return {
    ...shown,
    email: maskedEmail(view.email),
    sessionId: sessionId !== undefined && sessionId === view.sessionId ? view.sessionId : null,
  };
}

async function requireOrder(services: Services, orderId: string): Promise<OrderSnapshot> {
  const snapshot = await readOrder(services.store, orderId);
  if (!snapshot) throw new TRPCError({ code: 'NOT_FOUND', message: `No order ${orderId}` });
  return snapshot;
}

/**
 * Stripe's fulfilment guide: on the success page, fetch the session rather than wait for
 * the webhook. The payment is recorded through the same decider, so it counts once. An
 * order recorded expired is asked about too: a shopper back on the success page may have
 * paid as it expired (a late payment), and is not to be told nothing was charged.
 */
const ASKED_ABOUT: ReadonlySet<OrderView['status']> = new Set([
  'checkout_started',
  'pending',
  'expired',
]);

async function checkSession(
  services: Services,
  snapshot: OrderSnapshot,
  sessionId: string,
  client: string,
): Promise<boolean> {
  const { view } = snapshot;
  if (
    view.sessionId !== sessionId ||
    !ASKED_ABOUT.has(view.status) ||
    !services.stripeLookups.mayAsk(view.orderId, client)
  ) {
    return false;
  }
  const { orderId } = view;
  let recorded: Recorded;
  try {
    const session = await services.stripe.retrieveCheckoutSession(sessionId);
    recorded = await recordStripeOutcome(services, {
      orderId,
      outcome: 'fetched',
      stripeEventId: null,
      session,
    });
  } catch (error) {
    // The webhook will still tell us; the shopper sees the status we have.
    const atStripe =
      error instanceof StripeUnavailableError ||
      error instanceof StripeRefusedError ||
      error instanceof StripeBusyError;
    services.log[atStripe ? 'warn' : 'error'](
      { err: error, orderId },
      'success page: the Stripe session check failed',
    );
    return false;
  }
  try {
    await recorded.followUp();
  } catch (error) {
    // Recorded all the same; the reservation sweep finishes the stock's part.
    services.log.error({ err: error, orderId }, 'stock follow-up failed');
  }
  return recorded.events.length > 0;
}

export const orderRouter = router({
  get: publicProcedure
    .input(z.object({ orderId: OrderId, sessionId: z.string().max(255).optional() }).strict())
    .query(async ({ ctx, input }) => {
      let snapshot = await requireOrder(ctx.services, input.orderId);
      if (
        input.sessionId &&
        (await checkSession(ctx.services, snapshot, input.sessionId, ctx.client))
      ) {
        snapshot = await requireOrder(ctx.services, input.orderId);
      }
      return shopperView(snapshot.view, input.sessionId);
    }),

  /**
   * The shopper left Stripe's page by its cancel link: the session is ended at Stripe and
   * the stock given back now, not when Stripe expires the session (30 minutes or more), so
   * paying again is not refused for the units this checkout holds. A session paid meanwhile
   * is recorded instead. Anyone holding the order id may ask: it ends only an unpaid
   * checkout, which its shopper has left.
   */
  cancel: publicProcedure
    .input(z.object({ orderId: OrderId }).strict())
    .mutation(async ({ ctx, input }) => {
      const { services } = ctx;
      await requireOrder(services, input.orderId);
      const ended = await endOpenCheckout(services, input.orderId, {
        reason: 'cancelled',
        causationId: 'shopper-cancel',
        onlyStarted: true,
      });
      if (ended === 'ask again') {
        throw new TRPCError({
          code: 'SERVICE_UNAVAILABLE',
          message: 'Stripe could not be asked; the checkout ends on its own when it expires',
        });
      }
      const { view } = await requireOrder(services, input.orderId);
      return { status: view.status };
    }),

  /** The order view now and on every change; resumes after the last revision the client saw. */
  watch: publicProcedure
    .input(
      z.object({ orderId: OrderId, lastEventId: z.string().regex(/^\d+$/).nullish() }).strict(),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const { services } = ctx;
      const changes = services.feed
        .changes(orderStream(input.orderId), signal)
        [Symbol.asyncIterator]();
      let seen = input.lastEventId ? BigInt(input.lastEventId) : -1n;
      try {
        // Read after subscribing, so no change between the two is missed.
        let snapshot = await requireOrder(services, input.orderId);
        for (;;) {
          if (snapshot.revision > seen) {
            seen = snapshot.revision;
            yield tracked(String(seen), shopperView(snapshot.view));
          }
          const next = await changes.next();
          if (next.done) return;
          snapshot = await requireOrder(services, input.orderId);
        }
      } catch (error) {
        if (!signal?.aborted) throw error;
      } finally {
        // Unsubscribes at once, whether the order was unknown or the client left.
        await changes.return?.();
      }
    }),
});
