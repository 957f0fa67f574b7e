/**
 * The reservation sweep. Stock held for a checkout comes back through Stripe's
 * `checkout.session.expired`; if that webhook is lost, this gives it back once the
 * reservation is past its expiry plus a grace period. Stripe is asked first, so a
 * payment whose webhook was lost is recorded rather than swept. A session Stripe still has
 * open is left while Stripe's clock says it is not yet due (ours is ahead, and the shopper
 * may be paying); past due there too (Stripe's expiry running late), it is expired at
 * Stripe before its stock is given back, so it can no longer be paid. A payment that still
 * arrives after the sweep (one made as the sweep ran) is recorded all the same, flagged
 * late, and its units are taken back from stock if they are still there (a shortfall is
 * recorded for those that are not).
 *
 * An order's stock is given back after its ending event is stored (so a late payment can
 * never find it half released); a crash in between would leave it held for good. The sweep
 * also walks the orders that ended and releases what any of them still holds, and takes
 * back the units of late payments whose re-take was cut short the same way.
 */
import type { Products } from '../catalog/products';
import { loadStream } from '../command-handler';
import { orderStream } from '../domain/events';
import type { EventStore } from '../eventstore/port';
import { recordStripeOutcome } from '../payments/record-outcome';
import type { StripeGateway } from '../payments/stripe-gateway';
import {
  StripeMissingError,
  StripeRefusedError,
  StripeUnavailableError,
} from '../payments/stripe-gateway';
import { endOpenCheckout } from './end-checkout';
import type { OrderState, SessionFacts } from './order';
import { orderDecider, releaseReasonOf } from './order';
import { releaseEndedOrderStock, retakeOrderStock } from './order-stock';
import { SESSION_LIFETIME_MS } from './start-checkout';

const SWEEP = { causationId: 'reservation-sweep' };

/**
 * How far back the sweep repairs a late payment's re-take. A crash cuts one short until the
 * next sweep, minutes later; a day covers a server down overnight. Older late payments,
 * those recorded before this version took units back among them, stay the site owner's
 * (they may have been refunded or filled by hand long ago).
 */
export const LATE_REPAIR_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface SweepDeps {
  store: EventStore;
  products: Products;
  stripe: StripeGateway;
  now: () => Date;
  graceMs: number;
  /** Orders still validated or checkout_started that were validated before `cutoff` (ISO). */
  staleOrders: (cutoff: string) => string[];
  /** The next page of orders that ended before `until` (ISO) and still hold stock. */
  endedStillHolding: (until: string) => string[];
  /** Orders pending a bank debit's outcome since before `cutoff` (ISO). */
  pendingOrders: (cutoff: string) => string[];
  /** Orders paid late since `since` (ISO) whose units were neither taken back nor found missing. */
  lateUnfilled: (since: string) => string[];
  pendingChecks: PendingChecks;
  /**
   * Ended orders whose release failed in an earlier round: the walk over ended orders has
   * moved past them, so they are tried first until one round releases them.
   */
  releaseRetries: Set<string>;
  /** The server is stopping: the round ends after the order in hand, the rest left for the next start. */
  stopping?: () => boolean;
}

/** A bank debit takes days (SEPA up to 14); one whose outcome webhook is lost is asked about hourly. */
export const PENDING_RECHECK_MS = 60 * 60_000;

/**
 * No delayed payment method Stripe offers takes this long to settle (SEPA, the slowest,
 * 14 business days): a session still unpaid after it was not paid, and its stock goes back.
 */
const PENDING_GIVE_UP_MS = 30 * 24 * 60 * 60_000;

/** When this process may next ask Stripe about each pending order. */
export class PendingChecks {
  private readonly next = new Map<string, number>();

  due(orderId: string, now: number): boolean {
    if ((this.next.get(orderId) ?? 0) > now) return false;
    this.next.set(orderId, now + PENDING_RECHECK_MS);
    if (this.next.size > 10_000) {
      for (const [id, at] of this.next) if (at <= now) this.next.delete(id);
    }
    return true;
  }
}

export interface SweepResult {
  /** Orders whose stock went back: expired, or a debit unpaid past any settlement time. */
  swept: string[];
  /** Orders found paid at Stripe whose webhook never arrived. */
  paid: string[];
  /** Orders skipped this round because Stripe could not be asked. */
  deferred: string[];
  /**
   * Orders whose session Stripe still has open, before its expiry on Stripe's clock: this
   * server's clock is ahead. They wait for Stripe to end the session.
   */
  notDue: string[];
  /** Ended orders whose stock release had been cut short, now given back. */
  released: string[];
  /** Orders paid late whose re-take had been cut short, now taken back (or found missing). */
  retaken: string[];
  /** Orders this round could not handle (the store busy, Stripe answering oddly): tried again next round. */
  failed: { orderId: string; error: unknown }[];
}

export async function sweepReservations(deps: SweepDeps): Promise<SweepResult> {
  const cutoff = new Date(deps.now().getTime() - SESSION_LIFETIME_MS - deps.graceMs).toISOString();
  const result: SweepResult = {
    swept: [],
    paid: [],
    deferred: [],
    notDue: [],
    released: [],
    retaken: [],
    failed: [],
  };
  // One order that fails must not stop the round: the others still get their stock back.
  const each = async (
    orderIds: Iterable<string>,
    work: (orderId: string) => Promise<void>,
    onFailure?: (orderId: string) => void,
  ) => {
    for (const orderId of orderIds) {
      if (deps.stopping?.()) return;
      try {
        await work(orderId);
      } catch (error) {
        result.failed.push({ orderId, error });
        onFailure?.(orderId);
      }
    }
  };
  await each(deps.staleOrders(cutoff), async (orderId) => {
    const ended = await endOpenCheckout(deps, orderId, {
      reason: 'swept',
      causationId: 'reservation-sweep',
    });
    if (ended === 'ended') result.swept.push(orderId);
    if (ended === 'paid') result.paid.push(orderId);
    if (ended === 'ask again') result.deferred.push(orderId);
    if (ended === 'not due') result.notDue.push(orderId);
  });
  // A bank debit that settled (or failed) while its webhook was lost: Stripe's session says
  // paid once it settled. A failure cannot be told from a debit still under way by the
  // session alone, until no debit could still be under way.
  const now = deps.now().getTime();
  const givenUp = new Set(deps.pendingOrders(new Date(now - PENDING_GIVE_UP_MS).toISOString()));
  const recheck = deps.pendingOrders(new Date(now - PENDING_RECHECK_MS).toISOString());
  await each(recheck, async (orderId) => {
    if (!deps.pendingChecks.due(orderId, now)) return;
    const { state } = await loadStream(deps.store, orderStream(orderId), orderDecider);
    if (state.status !== 'pending' || !state.checkout) return;
    let session: SessionFacts;
    try {
      session = await deps.stripe.retrieveCheckoutSession(state.checkout.sessionId);
    } catch (error) {
      // Made with other keys (another account's or mode's): this account never hears how
      // the debit ends, so it is given up on like any other, at the same time.
      if (error instanceof StripeMissingError) {
        if (!givenUp.has(orderId)) return;
        session = unpaidAsStarted(orderId, state.checkout);
      } else if (error instanceof StripeUnavailableError || error instanceof StripeRefusedError) {
        result.deferred.push(orderId);
        return;
      } else throw error;
    }
    const failed = session.paymentStatus === 'unpaid';
    if (failed && !givenUp.has(orderId)) return;
    const recorded = await recordStripeOutcome(deps, {
      orderId,
      outcome: failed ? 'async_failed' : 'fetched',
      stripeEventId: null,
      session,
    });
    await recorded.followUp();
    const types = recorded.events.map((event) => event.type);
    if (types.includes('PaymentCompleted')) result.paid.push(orderId);
    if (types.includes('PaymentFailed')) result.swept.push(orderId);
  });

  // The grace lets a release in flight finish (and the read models see it) before this one.
  const until = new Date(deps.now().getTime() - deps.graceMs).toISOString();
  const ended = new Set([...deps.releaseRetries, ...deps.endedStillHolding(until)]);
  await each(
    ended,
    async (orderId) => {
      const { state } = await loadStream(deps.store, orderStream(orderId), orderDecider);
      const reason = releaseReasonOf(state.status);
      if (state.cart && reason) {
        await releaseEndedOrderStock(
          deps.store,
          deps.products,
          state.cart,
          reason,
          deps.now().toISOString(),
          SWEEP,
        );
        result.released.push(orderId);
      }
      deps.releaseRetries.delete(orderId);
    },
    (orderId) => deps.releaseRetries.add(orderId),
  );

  // Late payments whose re-take was cut short. The read models may lag behind a re-take that
  // did happen: each product decides again and finds nothing to do. No grace is needed: a
  // release still in flight cannot undo a re-take (the product refuses it).
  const repairSince = new Date(deps.now().getTime() - LATE_REPAIR_WINDOW_MS).toISOString();
  await each(deps.lateUnfilled(repairSince), async (orderId) => {
    const { state } = await loadStream(deps.store, orderStream(orderId), orderDecider);
    if (!state.cart || !state.late) return;
    const at = deps.now().toISOString();
    const taken = await retakeOrderStock(deps.products, state.cart, at, SWEEP);
    if (taken.length > 0) result.retaken.push(orderId);
  });
  return result;
}

/** The session as the order started it, its debit unpaid: what Stripe would say if it knew it. */
function unpaidAsStarted(
  orderId: string,
  checkout: NonNullable<OrderState['checkout']>,
): SessionFacts {
  return {
    id: checkout.sessionId,
    url: checkout.url,
    expiresAt: checkout.expiresAt,
    status: 'complete',
    paymentStatus: 'unpaid',
    amountTotal: checkout.amount,
    currency: checkout.currency,
    paymentIntentId: null,
    orderId,
  };
}
