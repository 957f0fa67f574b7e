/**
 * The read models as SQLite tables behind a write-back cache: the projector reads and
 * writes rows in memory, and `commit` writes every changed row and the checkpoint in one
 * transaction, so the tables always match exactly the events up to the checkpoint.
 */
import type Database from 'better-sqlite3';
import type { ReadModels, Table } from './apply';
import type { FunnelDay } from './funnel';
import type { OrderHold, ProductStock } from './inventory';
import { KeyFilter } from './key-filter';
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

/**
 * Rows live in two generations: a commit that leaves the young one too big makes it the
 * old one and drops the previous old one, so recently used rows stay cached. When the
 * tables were empty at start (a rebuild), every row that exists was written by this
 * process: a key the filter of evicted keys has never seen is absent, no need to ask SQLite.
 */
class CachedTable<V> implements Table<V> {
  private young = new Map<string, Entry<V>>();
  private old = new Map<string, Entry<V>>();
  private readonly dirty = new Map<string, Entry<V>>();
  /** Keys written by this process and dropped from the cache since; only kept while `fresh`. */
  private evicted: KeyFilter | undefined;

  constructor(
    private readonly codec: Codec<V>,
    private maxEntries: number,
    fresh: boolean,
  ) {
    this.evicted = fresh ? new KeyFilter() : undefined;
  }

  get(key: string): V | undefined {
    return this.entry(key).value;
  }

  set(key: string, value: V): void {
    const entry = this.entry(key);
    entry.value = value;
    this.dirty.set(key, entry);
  }

  /** Writes the changed rows; call inside the commit transaction. */
  write(): void {
    this.save([...this.dirty.keys()]);
  }

  /** In key order: neighbouring keys share B-tree pages, so each page is visited once. */
  private save(keys: string[]): void {
    keys.sort();
    for (const key of keys) {
      const entry = this.dirty.get(key)!;
      if (entry.value !== undefined) this.codec.save(entry.value, entry.stored);
    }
  }

  /**
   * Rebuild only (a private file written in one transaction): when the young generation is
   * full, writes the changed rows about to leave the cache and drops them. Rows in use stay
   * cached and unwritten, so most rows are written once, when they stop changing.
   */
  spill(): void {
    if (this.young.size <= this.maxEntries) return;
    const leaving: string[] = [];
    for (const key of this.old.keys()) if (!this.young.has(key)) leaving.push(key);
    this.save(leaving.filter((key) => this.dirty.has(key)));
    for (const key of leaving) {
      const entry = this.old.get(key)!;
      if (this.dirty.delete(key) && entry.value !== undefined) entry.stored = true;
      if (entry.stored) this.evicted?.add(key);
    }
    this.old = this.young;
    this.young = new Map();
  }

  /** After a commit: the written rows are now stored. */
  committed(): void {
    for (const entry of this.dirty.values()) entry.stored = true;
    this.dirty.clear();
    if (this.young.size <= this.maxEntries) return;
    if (this.evicted) for (const [key, entry] of this.old) if (entry.stored) this.evicted.add(key);
    this.old = this.young;
    this.young = new Map();
  }

  /**
   * After catching up (everything committed): live events touch few rows, mostly new or
   * recent ones, so the cache shrinks to `maxEntries` per generation, and the filter of
   * evicted keys (2 MB a table) goes: a miss asks SQLite.
   */
  goLive(maxEntries: number): void {
    this.maxEntries = maxEntries;
    this.evicted = undefined;
    this.old = this.young.size > maxEntries ? new Map() : this.young;
    this.young = new Map();
  }

  /** After a failed or refused commit: the cache no longer matches the database. */
  discard(): void {
    // Rows written by another process are unknown to the filter: ask SQLite from now on.
    this.evicted = undefined;
    this.young.clear();
    this.old.clear();
    this.dirty.clear();
  }

  private entry(key: string): Entry<V> {
    let entry = this.young.get(key);
    if (entry) return entry;
    entry = this.old.get(key);
    if (!entry) {
      const known = this.evicted?.mayHave(key) ?? true;
      const value = known ? this.codec.load(key) : undefined;
      entry = { value, stored: value !== undefined };
    }
    this.young.set(key, entry);
    return entry;
  }
}

/** Rows each table keeps per cache generation once live (a live server's hot rows are few). */
const LIVE_CACHE_SIZE = 1_000;

export interface Checkpoint {
  position: bigint;
  events: number;
}

export type CommitOutcome = { ok: true } | { ok: false; stored: Checkpoint | undefined };

export class SqliteReadModels {
  readonly models: ReadModels;
  private readonly tables: CachedTable<unknown>[];
  private readonly commitTx: Database.Transaction<
    (expected: bigint | undefined, checkpoint: Checkpoint) => CommitOutcome
  >;
  private readonly readCheckpoint: Database.Statement<[], { position: bigint; events: bigint }>;

  private readonly saveCheckpoint: Database.Statement<[bigint, number]>;

  /** `cacheSize`: rows each table keeps per cache generation. */
  constructor(db: Database.Database, cacheSize = 5_000) {
    this.readCheckpoint = db
      .prepare<[], { position: bigint; events: bigint }>(
        'SELECT position, events FROM checkpoint WHERE id = 1',
      )
      .safeIntegers(true);
    const fresh = this.checkpoint() === undefined;
    const table = <V>(codec: Codec<V>) => new CachedTable(codec, cacheSize, fresh);
    const tables = {
      orders: table(orderCodec(db)),
      products: table(productCodec(db)),
      holds: table(holdCodec(db)),
      salesDaily: table(salesDailyCodec(db)),
      productSales: table(productSalesCodec(db)),
      funnel: table(funnelCodec(db)),
    };
    this.models = tables;
    this.tables = Object.values(tables) as CachedTable<unknown>[];
    this.saveCheckpoint = db.prepare<[bigint, number]>(
      `INSERT INTO checkpoint (id, position, events) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET position = excluded.position, events = excluded.events`,
    );
    const saveCheckpoint = this.saveCheckpoint;
    this.commitTx = db.transaction(
      (expected: bigint | undefined, checkpoint: Checkpoint): CommitOutcome => {
        const stored = this.checkpoint();
        if (stored?.position !== expected) return { ok: false, stored };
        for (const table of this.tables) table.write();
        saveCheckpoint.run(checkpoint.position, checkpoint.events);
        return { ok: true };
      },
    );
  }

  checkpoint(): Checkpoint | undefined {
    const row = this.readCheckpoint.get();
    return row && { position: row.position, events: Number(row.events) };
  }

  /**
   * Writes the changed rows and the checkpoint if the file's checkpoint is still `expected`.
   * Several processes may run a runner on one file: when another one committed first, this
   * writes nothing, forgets its cached rows (they are stale) and returns the stored checkpoint.
   */
  commit(expected: bigint | undefined, checkpoint: Checkpoint): CommitOutcome {
    let outcome: CommitOutcome;
    try {
      // IMMEDIATE: hold the write lock from reading the checkpoint to writing it.
      outcome = this.commitTx.immediate(expected, checkpoint);
    } catch (error) {
      this.discard();
      throw error;
    }
    if (!outcome.ok) this.discard();
    else for (const table of this.tables) table.committed();
    return outcome;
  }

  /** Rebuild only, inside its transaction: writes the changed rows that are leaving the cache. */
  spill(): void {
    for (const table of this.tables) table.spill();
  }

  /** Rebuild only, inside its transaction: writes every changed row and the checkpoint. */
  writeAll(checkpoint: Checkpoint | undefined): void {
    for (const table of this.tables) table.write();
    if (checkpoint) this.saveCheckpoint.run(checkpoint.position, checkpoint.events);
    for (const table of this.tables) table.committed();
  }

  /** The runner caught up and committed: from now on it commits small live batches. */
  goLive(): void {
    for (const table of this.tables) table.goLive(LIVE_CACHE_SIZE);
  }

  private discard(): void {
    for (const table of this.tables) table.discard();
  }
}

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

function orderCodec(db: Database.Database): Codec<OrderView> {
  const select = db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_id = ?');
  const selectLines = db.prepare<[string], OrderLineRow>(
    'SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no',
  );
  // Positional parameters: binding them is markedly cheaper than named ones in a rebuild.
  const insert = db.prepare<unknown[]>(
    `INSERT INTO orders VALUES (${ORDER_COLUMNS.map(() => '?').join(', ')})`,
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
