/**
 * The SQL of each read-model table: loading a row by its key and writing it back (insert or
 * update), with the statements prepared once per database.
 */
import type Database from 'better-sqlite3';
import type { Codec } from './cached-table';
import type { FunnelDay } from './funnel';
import type { OrderHold, ProductStock } from './inventory';
import type { OrderView } from './order';
import {
  type FunnelRow,
  funnelFromRow,
  funnelToRow,
  type HoldRow,
  holdFromRow,
  holdToRow,
  type InventoryRow,
  type OrderLineRow,
  type OrderRow,
  orderFromRows,
  orderLinesToRows,
  orderToRow,
  productFromRow,
  productToRow,
} from './rows';
import type { ProductSales, SalesDaily } from './sales';

const ORDER_COLUMNS = [
  'order_id',
  'status',
  'email',
  'currency',
  'total',
  'units',
  'created_at',
  'created_day',
  'updated_at',
  'paid_at',
  'amount_paid',
  'session_id',
  'payment_intent_id',
  'checkout_url',
  'mismatch',
  'late',
  'timeline',
  'shortfall',
  'refunded',
  'refunds',
  'disputes',
  'lost_to_disputes',
] as const satisfies readonly (keyof OrderRow)[];
const ORDER_MUTABLE_COLUMNS = [
  'status',
  'updated_at',
  'paid_at',
  'amount_paid',
  'session_id',
  'payment_intent_id',
  'checkout_url',
  'mismatch',
  'late',
  'timeline',
  'shortfall',
  'refunded',
  'refunds',
  'disputes',
  'lost_to_disputes',
] as const satisfies readonly (keyof OrderRow)[];
const LINE_COLUMNS = [
  'order_id',
  'line_no',
  'sku',
  'name',
  'image',
  'unit_amount',
  'quantity',
  'amount',
  'currency',
] as const satisfies readonly (keyof OrderLineRow)[];

export function orderCodec(db: Database.Database): Codec<OrderView> {
  const select = db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_id = ?');
  const selectLines = db.prepare<[string], OrderLineRow>(
    'SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no',
  );
  // Positional parameters: binding them is markedly cheaper than named ones in a rebuild.
  const insert = db.prepare<unknown[]>(
    `INSERT INTO orders (${ORDER_COLUMNS.join(', ')}) VALUES (${ORDER_COLUMNS.map(() => '?').join(', ')})`,
  );
  // Lines, totals and creation never change after CartValidated.
  const update = db.prepare<unknown[]>(
    `UPDATE orders SET ${ORDER_MUTABLE_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE order_id = ?`,
  );
  const insertLine = db.prepare<unknown[]>(
    `INSERT INTO order_lines VALUES (${LINE_COLUMNS.map(() => '?').join(', ')})`,
  );
  return {
    load(orderId) {
      const row = select.get(orderId);
      return row && orderFromRows(row, selectLines.all(orderId));
    },
    save(view, stored) {
      const row = orderToRow(view);
      if (stored) {
        update.run(...ORDER_MUTABLE_COLUMNS.map((c) => row[c]), row.order_id);
        return;
      }
      insert.run(...ORDER_COLUMNS.map((c) => row[c]));
      for (const line of orderLinesToRows(view))
        insertLine.run(...LINE_COLUMNS.map((c) => line[c]));
    },
  };
}

/** A codec for a table whose rows are updated whole by primary key. */
function upsertCodec<V, R extends object>(
  db: Database.Database,
  table: string,
  keyColumns: string[],
  columns: (keyof R & string)[],
  toRow: (value: V) => R,
  fromRow: (row: R) => V,
): Codec<V> {
  const select = db.prepare<unknown[], R>(
    `SELECT * FROM ${table} WHERE ${keyColumns.map((c) => `${c} = ?`).join(' AND ')}`,
  );
  const upsert = db.prepare<unknown[]>(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
     ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${columns
       .filter((c) => !keyColumns.includes(c))
       .map((c) => `${c} = excluded.${c}`)
       .join(', ')}`,
  );
  return {
    load(key) {
      const row = select.get(...key.split('|'));
      return row && fromRow(row);
    },
    save(value) {
      const row = toRow(value);
      upsert.run(...columns.map((c) => row[c]));
    },
  };
}

export const productCodec = (db: Database.Database) =>
  upsertCodec<ProductStock, InventoryRow>(
    db,
    'inventory',
    ['sku'],
    [
      'sku',
      'name',
      'currency',
      'unit_amount',
      'listed',
      'on_hand',
      'reserved',
      'sold',
      'available',
    ],
    productToRow,
    productFromRow,
  );

export const holdCodec = (db: Database.Database) =>
  upsertCodec<OrderHold, HoldRow>(
    db,
    'order_holds',
    ['order_id'],
    ['order_id', 'paid', 'units'],
    holdToRow,
    holdFromRow,
  );

const identity = <T>(value: T) => value;

export const salesDailyCodec = (db: Database.Database) =>
  upsertCodec<SalesDaily, SalesDaily>(
    db,
    'sales_daily',
    ['day', 'currency'],
    ['day', 'currency', 'revenue', 'orders', 'units', 'refunded', 'lost_to_disputes'],
    identity,
    identity,
  );

export const productSalesCodec = (db: Database.Database) =>
  upsertCodec<ProductSales, ProductSales>(
    db,
    'sales_by_product',
    ['day', 'sku', 'currency'],
    [
      'day',
      'sku',
      'currency',
      'name',
      'revenue',
      'units',
      'orders',
      'refunded',
      'lost_to_disputes',
    ],
    identity,
    identity,
  );

export const funnelCodec = (db: Database.Database) =>
  upsertCodec<FunnelDay, FunnelRow>(
    db,
    'funnel_daily',
    ['day'],
    [
      'day',
      'carts_validated',
      'checkouts_started',
      'paid',
      'expired',
      'failed',
      'checkout_failed',
      'abandoned',
      'open',
    ],
    funnelToRow,
    funnelFromRow,
  );
