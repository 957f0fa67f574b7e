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
  /** The cart was validated but no checkout ever started or failed (the shopper never reached Stripe). */
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

const stageOfStatus: Record<OrderStatus, keyof FunnelCounts> = {
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

function countsOf(view: OrderView): FunnelCounts {
  const counts = emptyFunnelCounts();
  counts.cartsValidated = 1;
  counts.checkoutsStarted = view.sessionId === null ? 0 : 1;
  counts[stageOfStatus[view.status]] += 1;
  return counts;
}

/** The funnel row an order's change (view before -> view after one event) alters, if any. */
export function evolveFunnel(
  state: FunnelState,
  before: OrderView | null,
  after: OrderView | null,
): FunnelDay[] {
  const cohort = (after ?? before)?.createdAt;
  if (cohort === undefined) return [];
  const day = utcDay(cohort);
  const removed = before ? countsOf(before) : emptyFunnelCounts();
  const added = after ? countsOf(after) : emptyFunnelCounts();
  const keys = Object.keys(removed) as (keyof FunnelCounts)[];
  if (keys.every((key) => removed[key] === added[key])) return [];
  const row = state.day(day) ?? { day, ...emptyFunnelCounts() };
  const next = { ...row };
  for (const key of keys) next[key] += added[key] - removed[key];
  return [next];
}
