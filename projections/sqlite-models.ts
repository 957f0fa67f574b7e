/**
 * The read models as SQLite tables behind a write-back cache: the projector reads and
 * writes rows in memory, and `commit` writes every changed row and the checkpoint in one
 * transaction, so the tables always match exactly the events up to the checkpoint.
 */
import type Database from 'better-sqlite3';
import type { ReadModels, Table } from './apply';
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

interface Codec<V> {
  load(key: string): V | undefined;
  /** `stored`: the row already exists in the database. */
  save(value: V, stored: boolean): void;
}

interface Entry<V> {
  value: V | undefined;
  stored: boolean;
}

class CachedTable<V> implements Table<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly codec: Codec<V>,
    private readonly maxEntries: number,
  ) {}

  get(key: string): V | undefined {
    return this.entry(key).value;
  }

  set(key: string, value: V): void {
    this.entry(key).value = value;
    this.dirty.add(key);
  }

  /** Writes the changed rows; call inside the commit transaction. */
  write(): void {
    for (const key of this.dirty) {
      const entry = this.entries.get(key)!;
      if (entry.value !== undefined) this.codec.save(entry.value, entry.stored);
    }
  }

  /** After a commit: the written rows are now stored; forget rows if the cache grew too big. */
  committed(): void {
    for (const key of this.dirty) this.entries.get(key)!.stored = true;
    this.dirty.clear();
    if (this.entries.size > this.maxEntries) this.entries.clear();
  }

  /** After a failed commit: the cache no longer matches the database. */
  discard(): void {
    this.entries.clear();
    this.dirty.clear();
  }

  private entry(key: string): Entry<V> {
    let entry = this.entries.get(key);
    if (!entry) {
      const value = this.codec.load(key);
      entry = { value, stored: value !== undefined };
      this.entries.set(key, entry);
    }
    return entry;
  }
}

export interface Checkpoint {
  position: bigint;
  events: number;
}

export class SqliteReadModels {
  readonly models: ReadModels;
  private readonly tables: CachedTable<unknown>[];
  private readonly commitTx: Database.Transaction<(checkpoint: Checkpoint) => void>;
  private readonly readCheckpoint: Database.Statement<[], { position: bigint; events: bigint }>;

  constructor(db: Database.Database, cacheSize = 20_000) {
    const orders = orderCodec(db);
    const tables = {
      orders: new CachedTable(orders, cacheSize),
      products: new CachedTable(productCodec(db), cacheSize),
      holds: new CachedTable(holdCodec(db), cacheSize),
      salesDaily: new CachedTable(salesDailyCodec(db), cacheSize),
      productSales: new CachedTable(productSalesCodec(db), cacheSize),
      funnel: new CachedTable(funnelCodec(db), cacheSize),
    };
    this.models = tables;
    this.tables = Object.values(tables) as CachedTable<unknown>[];
    const saveCheckpoint = db.prepare<[bigint, number]>(
      `INSERT INTO checkpoint (id, position, events) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET position = excluded.position, events = excluded.events`,
    );
    this.commitTx = db.transaction((checkpoint: Checkpoint) => {
      for (const table of this.tables) table.write();
      saveCheckpoint.run(checkpoint.position, checkpoint.events);
    });
    this.readCheckpoint = db
      .prepare<[], { position: bigint; events: bigint }>(
        'SELECT position, events FROM checkpoint WHERE id = 1',
      )
      .safeIntegers(true);
  }

  checkpoint(): Checkpoint | undefined {
    const row = this.readCheckpoint.get();
    return row && { position: row.position, events: Number(row.events) };
  }

  commit(checkpoint: Checkpoint): void {
    try {
      this.commitTx(checkpoint);
    } catch (error) {
      for (const table of this.tables) table.discard();
      throw error;
    }
    for (const table of this.tables) table.committed();
  }
}

function orderCodec(db: Database.Database): Codec<OrderView> {
  const select = db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_id = ?');
  const selectLines = db.prepare<[string], OrderLineRow>(
    'SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no',
  );
  const insert = db.prepare<[OrderRow]>(
    `INSERT INTO orders VALUES (@order_id, @status, @email, @currency, @total, @units, @created_at,
     @created_day, @updated_at, @paid_at, @amount_paid, @session_id, @payment_intent_id,
     @checkout_url, @mismatch, @late, @timeline)`,
  );
  // Lines, totals and creation never change after CartValidated.
  const update = db.prepare<[OrderRow]>(
    `UPDATE orders SET status = @status, updated_at = @updated_at, paid_at = @paid_at,
     amount_paid = @amount_paid, session_id = @session_id, payment_intent_id = @payment_intent_id,
     checkout_url = @checkout_url, mismatch = @mismatch, late = @late, timeline = @timeline
     WHERE order_id = @order_id`,
  );
  const insertLine = db.prepare<[OrderLineRow]>(
    `INSERT INTO order_lines VALUES (@order_id, @line_no, @sku, @name, @image, @unit_amount,
     @quantity, @amount, @currency)`,
  );
  return {
    load(orderId) {
      const row = select.get(orderId);
      return row && orderFromRows(row, selectLines.all(orderId));
    },
    save(view, stored) {
      const row = orderToRow(view);
      if (stored) {
        update.run(row);
        return;
      }
      insert.run(row);
      for (const line of orderLinesToRows(view)) insertLine.run(line);
    },
  };
}

/** A codec for a table whose rows are updated whole by primary key. */
function upsertCodec<V, R extends object>(
  db: Database.Database,
  table: string,
  keyColumns: string[],
  columns: string[],
  toRow: (value: V) => R,
  fromRow: (row: R) => V,
): Codec<V> {
  const select = db.prepare<unknown[], R>(
    `SELECT * FROM ${table} WHERE ${keyColumns.map((c) => `${c} = ?`).join(' AND ')}`,
  );
  const upsert = db.prepare<[R]>(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
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
      upsert.run(toRow(value));
    },
  };
}

const productCodec = (db: Database.Database) =>
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

const holdCodec = (db: Database.Database) =>
  upsertCodec<OrderHold, HoldRow>(
    db,
    'order_holds',
    ['order_id'],
    ['order_id', 'paid', 'units'],
    holdToRow,
    holdFromRow,
  );

const identity = <T>(value: T) => value;

const salesDailyCodec = (db: Database.Database) =>
  upsertCodec<SalesDaily, SalesDaily>(
    db,
    'sales_daily',
    ['day', 'currency'],
    ['day', 'currency', 'revenue', 'orders', 'units'],
    identity,
    identity,
  );

const productSalesCodec = (db: Database.Database) =>
  upsertCodec<ProductSales, ProductSales>(
    db,
    'sales_by_product',
    ['day', 'sku', 'currency'],
    ['day', 'sku', 'currency', 'name', 'revenue', 'units', 'orders'],
    identity,
    identity,
  );

const funnelCodec = (db: Database.Database) =>
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
