/**
 * Read-model queries the server itself relies on (not analytics): which open orders
 * outlived their reservation, and how many units a shopper holds in unpaid checkouts.
 * Both tolerate the read models' lag: the sweep re-checks each order on its stream,
 * and the hold cap is a guard against abuse, not a stock decision.
 */
import type Database from 'better-sqlite3';

const OPEN = "('validated', 'checkout_started')";

/** Orders still open that were validated before `cutoff` (ISO time). */
export function staleOpenOrders(db: Database.Database, cutoff: string, limit = 500): string[] {
  return db
    .prepare<[string, number], { order_id: string }>(
      `SELECT order_id FROM orders WHERE status IN ${OPEN} AND created_at < ? ORDER BY created_at LIMIT ?`,
    )
    .all(cutoff, limit)
    .map((row) => row.order_id);
}

/** Units held by unpaid, unexpired checkouts of this email. */
export function heldUnitsByEmail(db: Database.Database, email: string): number {
  const row = db
    .prepare<[string], { units: number | null }>(
      `SELECT SUM(units) AS units FROM orders WHERE email = ? AND status IN ${OPEN}`,
    )
    .get(email);
  return row?.units ?? 0;
}
