/**
 * The funnel read model, per UTC day the cart was validated (a cohort, so each day's rates
 * stay between 0 and 1): carts validated, checkouts started, and where each order stands
 * now. Like sales, each order event moves the order from its old stage to its new one.
 */
import { utcDay } from './day';
import type { OrderStatus, OrderView } from './order';

export interface FunnelCounts {
  cartsValidated: number;
  checkoutsStarted: number;
  paid: number;
  /** The Stripe session expired unpaid. */
  expired: number;
  /** The asynchronous payment failed. */
  failed: number;
  /** Stripe refused or was unreachable, or stock ran out, before the shopper could pay. */
  checkoutFailed: number;
  /**
   * The cart was validated but no checkout ever started or failed (the shopper never reached
   * Stripe), swept since or not.
   */
  abandoned: number;
  /** A checkout started and is still awaiting payment. */
  open: number;
}

export interface FunnelDay extends FunnelCounts {
  day: string;
}

export interface FunnelState {
  day(day: string): FunnelDay | undefined;
}

const stageOfStatus: Record<
  OrderStatus,
  Exclude<keyof FunnelCounts, 'cartsValidated' | 'checkoutsStarted'>
> = {
  validated: 'abandoned',
  checkout_started: 'open',
  pending: 'open',
  paid: 'paid',
  failed: 'failed',
  expired: 'expired',
  checkout_failed: 'checkoutFailed',
};

export const emptyFunnelCounts = (): FunnelCounts => ({
  cartsValidated: 0,
  checkoutsStarted: 0,
  paid: 0,
  expired: 0,
  failed: 0,
  checkoutFailed: 0,
  abandoned: 0,
  open: 0,
});

/** Takes back what the order counted before the event and counts what it is after. */
export function evolveFunnel(
  state: FunnelState,
  before: OrderView | null,
  after: OrderView | null,
): FunnelDay[] {
  const cohort = (after ?? before)?.createdAt;
  if (cohort === undefined) return [];
  if (before && after && stageOf(before) === stageOf(after) && started(before) === started(after)) {
    return [];
  }
  const day = utcDay(cohort);
  const next = { ...(state.day(day) ?? { day, ...emptyFunnelCounts() }) };
  if (before) count(next, before, -1);
  if (after) count(next, after, 1);
  return [next];
}

function count(counts: FunnelCounts, view: OrderView, sign: 1 | -1): void {
  counts.cartsValidated += sign;
  if (started(view)) counts.checkoutsStarted += sign;
  counts[stageOf(view)] += sign;
}

/** A cart the sweep expired without a session never reached Stripe: abandoned, not expired. */
function stageOf(view: OrderView) {
  return view.status === 'expired' && !started(view) ? 'abandoned' : stageOfStatus[view.status];
}

const started = (view: OrderView) => view.sessionId !== null;
