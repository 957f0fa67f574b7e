/**
 * The books as the events tell them, folded independently of the server's deciders and
 * projections: stock per product stream, payments per order stream. The fault suites
 * check their invariants on these.
 */
import { toDomainEvent } from '../../server/domain/events';
import type { RecordedEvent } from '../../server/eventstore/port';

export interface Ledger {
  onHand: Map<string, number>;
  /** Units held now, per sku then per order (a paid order's hold is its sale). */
  holds: Map<string, Map<string, number>>;
  /** Reservations (or a late payment's units taken back) that took a sku past its stock. */
  oversold: { sku: string; orderId: string; held: number; onHand: number }[];
  /** StockReleased for an order that held nothing on that sku. */
  strayReleases: { sku: string; orderId: string }[];
  reservations: number;
  releases: number;
  /** Per sku, a late payment's units that were no longer in stock (StockShortfall), not filled by a restock nor settled since. */
  missing: Map<string, number>;
  /** Per sku, missing units the site owner settled another way (ShortfallSettled). */
  settled: Map<string, number>;
  /** Per sku, the units restocks filled shortfalls with (a StockRetaken after the order's shortfall). */
  filled: Map<string, number>;
  /** PaymentCompleted events per order. */
  payments: Map<string, number>;
  /** PaymentCompleted events per Stripe session. */
  paymentsBySession: Map<string, number>;
  /** The lines of each validated cart, by order. */
  carts: Map<string, { sku: string; quantity: number }[]>;
  /** Orders whose checkout failed (CheckoutFailed). */
  failed: Set<string>;
  /** Orders with a Stripe session (CheckoutStarted). */
  started: Set<string>;
}

const bump = (map: Map<string, number>, key: string, by = 1) =>
  map.set(key, (map.get(key) ?? 0) + by);

export function ledgerOf(events: RecordedEvent[]): Ledger {
  const ledger: Ledger = {
    onHand: new Map(),
    holds: new Map(),
    oversold: [],
    strayReleases: [],
    reservations: 0,
    releases: 0,
    missing: new Map(),
    settled: new Map(),
    filled: new Map(),
    payments: new Map(),
    paymentsBySession: new Map(),
    carts: new Map(),
    failed: new Set(),
    started: new Set(),
  };
  const holdsOf = (sku: string) => {
    const holds = ledger.holds.get(sku) ?? new Map<string, number>();
    ledger.holds.set(sku, holds);
    return holds;
  };
  /** Units still missing per sku and order. */
  const shortfalls = new Map<string, number>();
  for (const recorded of events) {
    const event = toDomainEvent(recorded);
    switch (event.type) {
      case 'StockAdjusted':
        bump(ledger.onHand, event.data.sku, event.data.delta);
        break;
      case 'StockReserved':
      case 'StockRetaken': {
        const { sku, orderId, quantity } = event.data;
        const holds = holdsOf(sku);
        holds.set(orderId, (holds.get(orderId) ?? 0) + quantity);
        if (event.type === 'StockReserved') ledger.reservations += 1;
        const short = shortfalls.get(`${sku}|${orderId}`);
        if (event.type === 'StockRetaken' && short !== undefined) {
          const filled = Math.min(short, quantity);
          bump(ledger.filled, sku, filled);
          bump(ledger.missing, sku, -filled);
          if (ledger.missing.get(sku) === 0) ledger.missing.delete(sku);
          if (short > filled) shortfalls.set(`${sku}|${orderId}`, short - filled);
          else shortfalls.delete(`${sku}|${orderId}`);
        }
        const held = sum(holds.values());
        const onHand = ledger.onHand.get(sku) ?? 0;
        if (held > onHand) ledger.oversold.push({ sku, orderId, held, onHand });
        break;
      }
      case 'StockReleased': {
        const { sku, orderId } = event.data;
        if (!holdsOf(sku).delete(orderId)) ledger.strayReleases.push({ sku, orderId });
        ledger.releases += 1;
        break;
      }
      case 'StockShortfall':
        bump(ledger.missing, event.data.sku, event.data.missing);
        bump(shortfalls, `${event.data.sku}|${event.data.orderId}`, event.data.missing);
        break;
      case 'ShortfallSettled': {
        const { sku, orderId, units } = event.data;
        bump(ledger.settled, sku, units);
        bump(ledger.missing, sku, -units);
        if (ledger.missing.get(sku) === 0) ledger.missing.delete(sku);
        shortfalls.delete(`${sku}|${orderId}`);
        break;
      }
      case 'CartValidated':
        ledger.carts.set(
          event.data.orderId,
          event.data.lines.map(({ sku, quantity }) => ({ sku, quantity })),
        );
        break;
      case 'CheckoutStarted':
        ledger.started.add(event.data.orderId);
        break;
      case 'CheckoutFailed':
        ledger.failed.add(event.data.orderId);
        break;
      case 'PaymentCompleted':
        bump(ledger.payments, event.data.orderId);
        bump(ledger.paymentsBySession, event.data.sessionId);
        break;
      default:
        break;
    }
  }
  return ledger;
}

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const value of values) total += value;
  return total;
};

/** Per sku, units still held for paid orders, from the product streams. */
export function unitsSold(ledger: Ledger): Record<string, number> {
  const sold: Record<string, number> = {};
  for (const [sku, holds] of ledger.holds) {
    for (const [orderId, units] of holds) {
      if (ledger.payments.has(orderId)) sold[sku] = (sold[sku] ?? 0) + units;
    }
  }
  return sold;
}

/** Per sku, units in the carts of paid orders, from the order streams (shortfalls included). */
export function unitsPaid(ledger: Ledger): Record<string, number> {
  const paid: Record<string, number> = {};
  for (const orderId of ledger.payments.keys()) {
    for (const { sku, quantity } of ledger.carts.get(orderId) ?? []) {
      paid[sku] = (paid[sku] ?? 0) + quantity;
    }
  }
  return paid;
}

/** Holds on orders that will never pay or that ended: (sku, order) pairs. */
export function orphanHolds(ledger: Ledger, isOpen: (orderId: string) => boolean): string[] {
  const orphans: string[] = [];
  for (const [sku, holds] of ledger.holds) {
    for (const orderId of holds.keys()) {
      if (!ledger.payments.has(orderId) && !isOpen(orderId)) orphans.push(`${sku}/${orderId}`);
    }
  }
  return orphans;
}

export const heldUnits = (ledger: Ledger, sku: string) =>
  sum(ledger.holds.get(sku)?.values() ?? []);
