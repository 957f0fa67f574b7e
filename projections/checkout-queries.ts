/**
 * Read-model queries the server itself relies on (not analytics): which open orders
 * outlived their reservation, which ended orders still hold stock, which late payments
 * still wait for their units, and how many units a shopper holds in unpaid checkouts
 * (and which of a client's orders still hold).
 * All tolerate the read models' lag: the sweep re-checks each order on its stream,
 * and the hold guard adds what the read models have not yet seen.
 */
import type Database from 'better-sqlite3';

const OPEN = "('validated', 'checkout_started')";
const ENDED = "('expired', 'failed', 'checkout_failed')";

function statements(db: Database.Database) {
  return {
    stale: db.prepare<[string, number], { order_id: string }>(
      // A mismatched payment waits for the site owner, not the sweep; left in, enough of them would fill every page.
      `SELECT order_id FROM orders WHERE status IN ${OPEN} AND mismatch = 0 AND created_at < ? ORDER BY created_at LIMIT ?`,
    ),
    ended: db.prepare<[string, string, string, number], EndedOrder>(
      `SELECT o.order_id AS orderId, o.updated_at AS updatedAt,
         h.paid = 0 AND EXISTS (SELECT 1 FROM json_each(h.units) WHERE value > 0) AS holding
       FROM orders o LEFT JOIN order_holds h ON h.order_id = o.order_id
       WHERE o.status IN ${ENDED} AND (o.updated_at, o.order_id) > (?, ?) AND o.updated_at < ?
       ORDER BY o.updated_at, o.order_id LIMIT ?`,
    ),
    // A late payment's sku still waits while its units are not held again (a re-take, or a
    // release that never ran) and no shortfall was recorded for it.
    lateUnfilled: db.prepare<[string, number], { order_id: string }>(
      `SELECT o.order_id FROM orders o JOIN order_holds h ON h.order_id = o.order_id
       WHERE o.late = 1 AND o.status = 'paid' AND o.paid_at >= ? AND EXISTS (
         SELECT 1 FROM json_each(h.units) u WHERE u.value = 0 AND NOT EXISTS (
           SELECT 1 FROM json_each(o.shortfall) s WHERE json_extract(s.value, '$.sku') = u.key))
       ORDER BY o.paid_at, o.order_id LIMIT ?`,
    ),
    pending: db.prepare<[string, number], { order_id: string }>(
      `SELECT order_id FROM orders WHERE status = 'pending' AND updated_at < ? ORDER BY updated_at LIMIT ?`,
    ),
    held: db.prepare<[string, string], { units: number | null }>(
      `SELECT SUM(units) AS units FROM orders WHERE email = ? AND status IN ${OPEN}
         AND order_id NOT IN (SELECT value FROM json_each(?))`,
    ),
    checkpoint: db
      .prepare<[], { position: bigint }>('SELECT position FROM checkpoint WHERE id = 1')
      .safeIntegers(true),
    open: db.prepare<[string], { order_id: string }>(
      `SELECT order_id FROM orders WHERE order_id IN (SELECT value FROM json_each(?)) AND status IN ${OPEN}`,
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

/** Orders waiting for a bank debit's outcome since before `cutoff` (ISO), oldest first. */
export function pendingOrders(db: Database.Database, cutoff: string, limit = 5_000): string[] {
  return on(db)
    .pending.all(cutoff, limit)
    .map((row) => row.order_id);
}

/**
 * Orders paid late since `since` (ISO) whose units were neither taken back nor found
 * missing, oldest payment first.
 */
export function lateOrdersUnfilled(db: Database.Database, since: string, limit = 500): string[] {
  return on(db)
    .lateUnfilled.all(since, limit)
    .map((row) => row.order_id);
}

/**
 * Units held by unpaid, unexpired checkouts of this (lower-cased) email, and the `$all`
 * position that figure includes: read together, so a caller adding what the read models
 * have not seen yet counts nothing twice (the runner commits in another thread).
 */
export function heldUnitsByEmail(
  db: Database.Database,
  email: string,
  ended: readonly string[] = [],
): { units: number; position: bigint } {
  const statements = on(db);
  return db.transaction(() => ({
    units: statements.held.get(email, JSON.stringify(ended))?.units ?? 0,
    position: statements.checkpoint.get()?.position ?? -1n,
  }))();
}

/** Which of these orders are still open (unpaid, unexpired). */
export function openOrders(db: Database.Database, orderIds: readonly string[]): Set<string> {
  if (orderIds.length === 0) return new Set();
  return new Set(
    on(db)
      .open.all(JSON.stringify(orderIds))
      .map((row) => row.order_id),
  );
}

interface EndedOrder {
  orderId: string;
  updatedAt: string;
  /** 1 when the order, though ended, still holds units: its release was cut short. */
  holding: number | null;
}

/**
 * A walk over the orders that ended (expired or failed), in the order they ended, a page
 * per call and each order once per walk: each call returns those of its page that still
 * hold stock, among the orders that ended before `until` (ISO). A new walk (a new process)
 * starts from the first order ever, so a release cut short by a crash is found after the
 * restart, however long ago the order ended.
 */
export function endedOrdersStillHolding(
  db: Database.Database,
  pageSize = 5_000,
): (until: string) => string[] {
  let after = { updatedAt: '', orderId: '' };
  return (until) => {
    const rows = on(db).ended.all(after.updatedAt, after.orderId, until, pageSize);
    const last = rows.at(-1);
    if (last) after = { updatedAt: last.updatedAt, orderId: last.orderId };
    return rows.filter((row) => row.holding === 1).map((row) => row.orderId);
  };
}
