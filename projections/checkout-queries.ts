/**
 * Read-model queries the server itself relies on (not analytics): which open orders
 * outlived their reservation, and how many units a shopper holds in unpaid checkouts.
 * Both tolerate the read models' lag: the sweep re-checks each order on its stream,
 * and the hold guard adds what the read models have not yet seen.
 */
import type Database from 'better-sqlite3';

const OPEN = "('validated', 'checkout_started')";

function statements(db: Database.Database) {
  return {
    stale: db.prepare<[string, number], { order_id: string }>(
      // A mismatched payment waits for the site owner, not the sweep; left in, enough of them would fill every page.
      `SELECT order_id FROM orders WHERE status IN ${OPEN} AND mismatch = 0 AND created_at < ? ORDER BY created_at LIMIT ?`,
    ),
    held: db.prepare<[string], { units: number | null }>(
      `SELECT SUM(units) AS units FROM orders WHERE email = ? AND status IN ${OPEN}`,
    ),
  };
}

// checkout.start asks on every call: prepare once per database.
const prepared = new WeakMap<Database.Database, ReturnType<typeof statements>>();
const on = (db: Database.Database) => {
  const found = prepared.get(db) ?? statements(db);
  prepared.set(db, found);
  return found;
};

/** Orders still open that were validated before `cutoff` (ISO time), but for mismatched payments. */
export function staleOpenOrders(db: Database.Database, cutoff: string, limit = 500): string[] {
  return on(db)
    .stale.all(cutoff, limit)
    .map((row) => row.order_id);
}

/** Units held by unpaid, unexpired checkouts of this (lower-cased) email. */
export function heldUnitsByEmail(db: Database.Database, email: string): number {
  return on(db).held.get(email)?.units ?? 0;
}
