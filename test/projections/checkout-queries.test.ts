/**
 * The read-model queries the server's sweep relies on, over rows written as the
 * projections write them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  endedOrdersStillHolding,
  lateOrdersUnfilled,
  staleOpenOrders,
} from '../../projections/checkout-queries';
import { openReadModelDb } from '../../projections/schema';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-queries-'));
  db = openReadModelDb(path.join(dir, 'readmodels.sqlite'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Row {
  id: string;
  status: string;
  updatedAt: string;
  holds?: { paid: boolean; units: Record<string, number> };
  mismatch?: boolean;
  late?: boolean;
  shortfall?: { sku: string; missing: number }[];
}

function given(...rows: Row[]) {
  const order = db.prepare(
    `INSERT INTO orders (order_id, status, email, currency, total, units, created_at, created_day,
       updated_at, paid_at, mismatch, late, timeline, shortfall)
     VALUES (?, ?, 'a@example.com', 'eur', 100, 1, ?, '2026-11-01', ?, ?, ?, ?, '[]', ?)`,
  );
  const hold = db.prepare('INSERT INTO order_holds (order_id, paid, units) VALUES (?, ?, ?)');
  for (const row of rows) {
    order.run(
      row.id,
      row.status,
      '2026-11-01T00:00:00.000Z',
      row.updatedAt,
      row.status === 'paid' ? row.updatedAt : null,
      row.mismatch ? 1 : 0,
      row.late ? 1 : 0,
      JSON.stringify(row.shortfall ?? []),
    );
    if (row.holds) hold.run(row.id, row.holds.paid ? 1 : 0, JSON.stringify(row.holds.units));
  }
}

const at = (minute: number) => `2026-11-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('endedOrdersStillHolding', () => {
  it('finds ended orders whose holds were not all given back, and nothing else', () => {
    given(
      {
        id: 'expired-held',
        status: 'expired',
        updatedAt: at(1),
        holds: { paid: false, units: { A: 2 } },
      },
      {
        id: 'failed-held',
        status: 'failed',
        updatedAt: at(2),
        holds: { paid: false, units: { A: 0, B: 1 } },
      },
      {
        id: 'aborted-held',
        status: 'checkout_failed',
        updatedAt: at(3),
        holds: { paid: false, units: { C: 1 } },
      },
      {
        id: 'expired-released',
        status: 'expired',
        updatedAt: at(4),
        holds: { paid: false, units: { A: 0 } },
      },
      { id: 'expired-no-holds', status: 'expired', updatedAt: at(5) },
      { id: 'paid', status: 'paid', updatedAt: at(6), holds: { paid: true, units: { A: 1 } } },
      {
        id: 'open',
        status: 'checkout_started',
        updatedAt: at(7),
        holds: { paid: false, units: { A: 1 } },
      },
      {
        id: 'pending',
        status: 'pending',
        updatedAt: at(8),
        holds: { paid: false, units: { A: 1 } },
      },
    );
    expect(endedOrdersStillHolding(db)(at(59))).toEqual([
      'expired-held',
      'failed-held',
      'aborted-held',
    ]);
  });

  it('walks page by page, each order once, up to `until` only, and picks up where it stopped', () => {
    const held = { paid: false, units: { A: 1 } };
    // Three orders end in the same minute: the order id breaks the tie across pages.
    given(
      { id: 'b', status: 'expired', updatedAt: at(1), holds: held },
      { id: 'a', status: 'expired', updatedAt: at(1), holds: held },
      { id: 'c', status: 'expired', updatedAt: at(1), holds: held },
      { id: 'd', status: 'failed', updatedAt: at(2), holds: held },
      { id: 'e', status: 'expired', updatedAt: at(9), holds: held },
    );
    const walk = endedOrdersStillHolding(db, 2);
    expect(walk(at(5))).toEqual(['a', 'b']);
    expect(walk(at(5))).toEqual(['c', 'd']);
    expect(walk(at(5))).toEqual([]);
    expect(walk(at(10))).toEqual(['e']);
    expect(walk(at(10))).toEqual([]);
    // A new walk (a restarted server) starts from the first order again.
    expect(endedOrdersStillHolding(db, 10)(at(10))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('lateOrdersUnfilled', () => {
  it('finds late payments with a sku neither held again nor recorded missing, oldest first', () => {
    const late = { status: 'paid', late: true };
    given(
      { id: 'released', ...late, updatedAt: at(3), holds: { paid: true, units: { A: 0 } } },
      { id: 'retaken', ...late, updatedAt: at(1), holds: { paid: true, units: { A: 2 } } },
      {
        id: 'short',
        ...late,
        updatedAt: at(1),
        holds: { paid: true, units: { A: 0 } },
        shortfall: [{ sku: 'A', missing: 2 }],
      },
      {
        id: 'partly-short',
        ...late,
        updatedAt: at(1),
        holds: { paid: true, units: { A: 1 } },
        shortfall: [{ sku: 'A', missing: 1 }],
      },
      {
        id: 'one-line-left',
        ...late,
        updatedAt: at(2),
        holds: { paid: true, units: { A: 0, B: 0 } },
        shortfall: [{ sku: 'B', missing: 1 }],
      },
      // A restock filled its shortfall: the units are held, none is missing any more.
      { id: 'filled', ...late, updatedAt: at(1), holds: { paid: true, units: { A: 2 } } },
      // Its release never ran: the units it paid for are still held.
      { id: 'still-held', ...late, updatedAt: at(1), holds: { paid: true, units: { A: 2 } } },
      { id: 'on-time', status: 'paid', updatedAt: at(1), holds: { paid: true, units: { A: 0 } } },
      {
        id: 'expired',
        status: 'expired',
        updatedAt: at(1),
        holds: { paid: false, units: { A: 0 } },
      },
    );
    expect(lateOrdersUnfilled(db, at(0))).toEqual(['one-line-left', 'released']);
  });

  it('leaves out late payments made before `since` (settled by the site owner, or from before re-takes)', () => {
    const late = { status: 'paid', late: true, holds: { paid: true, units: { A: 0 } } };
    given({ id: 'old', ...late, updatedAt: at(1) }, { id: 'recent', ...late, updatedAt: at(5) });
    expect(lateOrdersUnfilled(db, at(5))).toEqual(['recent']);
    expect(lateOrdersUnfilled(db, at(6))).toEqual([]);
  });
});

describe('staleOpenOrders', () => {
  it('leaves out a mismatched payment, which waits for the site owner', () => {
    given(
      { id: 'open', status: 'checkout_started', updatedAt: at(1) },
      { id: 'mismatched', status: 'checkout_started', updatedAt: at(1), mismatch: true },
      { id: 'expired', status: 'expired', updatedAt: at(1) },
    );
    expect(staleOpenOrders(db, '2026-11-02T00:00:00.000Z')).toEqual(['open']);
  });
});
