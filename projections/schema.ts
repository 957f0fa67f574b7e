/**
 * The read-model SQLite schema, documented for analysts in projections/README.md.
 * Money columns are integers in the minor unit of the row's `currency`; days are UTC
 * `YYYY-MM-DD`; times are ISO 8601 strings as recorded in the events.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../server/config';

export const READ_MODEL_TABLES = [
  'checkpoint',
  'orders',
  'order_lines',
  'inventory',
  'order_holds',
  'sales_daily',
  'sales_by_product',
  'funnel_daily',
] as const;

/** Added after the first release: last in the table, where ALTER TABLE puts them in an older file. */
const SHORTFALL_COLUMN = "TEXT NOT NULL DEFAULT '[]'";
const REFUNDED_COLUMN = 'INTEGER NOT NULL DEFAULT 0';
const REFUNDS_COLUMN = "TEXT NOT NULL DEFAULT '[]'";
const DISPUTES_COLUMN = "TEXT NOT NULL DEFAULT '[]'";
const LOST_COLUMN = 'INTEGER NOT NULL DEFAULT 0';
/**
 * The id of the event at the checkpoint, and the position it was saved for: a file written by
 * an older version moves `position` without them, so they count only while the two agree.
 */
const CHECKPOINT_EVENT_COLUMNS = [
  ['event_position', 'INTEGER'],
  ['event_id', 'TEXT'],
] as const;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS checkpoint (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL,
    events   INTEGER NOT NULL,
    ${CHECKPOINT_EVENT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(',\n    ')}
  );
  CREATE TABLE IF NOT EXISTS orders (
    order_id          TEXT PRIMARY KEY,
    status            TEXT NOT NULL,
    email             TEXT NOT NULL,
    currency          TEXT NOT NULL,
    total             INTEGER NOT NULL,
    units             INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    created_day       TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    paid_at           TEXT,
    amount_paid       INTEGER,
    session_id        TEXT,
    payment_intent_id TEXT,
    checkout_url      TEXT,
    mismatch          INTEGER NOT NULL,
    late              INTEGER NOT NULL,
    timeline          TEXT NOT NULL,
    shortfall         ${SHORTFALL_COLUMN},
    refunded          ${REFUNDED_COLUMN},
    refunds           ${REFUNDS_COLUMN},
    disputes          ${DISPUTES_COLUMN},
    lost_to_disputes  ${LOST_COLUMN}
  );
  CREATE TABLE IF NOT EXISTS order_lines (
    order_id    TEXT NOT NULL,
    line_no     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    image       TEXT NOT NULL,
    unit_amount INTEGER NOT NULL,
    quantity    INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    currency    TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS inventory (
    sku         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    currency    TEXT NOT NULL,
    unit_amount INTEGER NOT NULL,
    listed      INTEGER NOT NULL,
    on_hand     INTEGER NOT NULL,
    reserved    INTEGER NOT NULL,
    sold        INTEGER NOT NULL,
    available   INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS order_holds (
    order_id TEXT PRIMARY KEY,
    paid     INTEGER NOT NULL,
    units    TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS sales_daily (
    day      TEXT NOT NULL,
    currency TEXT NOT NULL,
    revenue  INTEGER NOT NULL,
    orders   INTEGER NOT NULL,
    units    INTEGER NOT NULL,
    refunded ${REFUNDED_COLUMN},
    lost_to_disputes ${LOST_COLUMN},
    PRIMARY KEY (day, currency)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS sales_by_product (
    day      TEXT NOT NULL,
    sku      TEXT NOT NULL,
    currency TEXT NOT NULL,
    name     TEXT NOT NULL,
    revenue  INTEGER NOT NULL,
    units    INTEGER NOT NULL,
    orders   INTEGER NOT NULL,
    refunded ${REFUNDED_COLUMN},
    lost_to_disputes ${LOST_COLUMN},
    PRIMARY KEY (day, sku, currency)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS funnel_daily (
    day               TEXT PRIMARY KEY,
    carts_validated   INTEGER NOT NULL,
    checkouts_started INTEGER NOT NULL,
    paid              INTEGER NOT NULL,
    expired           INTEGER NOT NULL,
    failed            INTEGER NOT NULL,
    checkout_failed   INTEGER NOT NULL,
    abandoned         INTEGER NOT NULL,
    open              INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/**
 * Indexes: order lines by their order (their key, kept out of the table so lines are only
 * appended); orders by day for reports, and newest first for the orders report, whose
 * every page would otherwise sort all orders (with its status and email filters, so a
 * filtered page or count reads the index alone); open orders by shopper and by age for the
 * server's per-shopper hold cap and reservation sweep, which run on every checkout and
 * every sweep and would otherwise scan every order (the sweep also reads late payments).
 * Partial: only open (or late) orders, a few among many, are in them. A rebuild creates
 * them once, at the end, but for the lines' own (below).
 */
/**
 * The one index a rebuild reads by, so it is there from the start: an order heard of again
 * after its row left the cache (a refund or a dispute weeks on) loads its lines, which
 * without it is a scan of every line written so far.
 */
const LINES_INDEX =
  'CREATE UNIQUE INDEX IF NOT EXISTS order_lines_by_order ON order_lines (order_id, line_no);';
const INDEXES = `
  ${LINES_INDEX}
  CREATE INDEX IF NOT EXISTS orders_by_day ON orders (created_day);
  CREATE INDEX IF NOT EXISTS orders_newest_first ON orders (created_at DESC, order_id, status, email);
  CREATE INDEX IF NOT EXISTS open_orders_by_email ON orders (email)
    WHERE status IN ('validated', 'checkout_started');
  CREATE INDEX IF NOT EXISTS open_orders_by_age ON orders (created_at)
    WHERE status IN ('validated', 'checkout_started');
  CREATE INDEX IF NOT EXISTS pending_orders_by_update ON orders (updated_at)
    WHERE status = 'pending';
  CREATE INDEX IF NOT EXISTS ended_orders_by_update ON orders (updated_at, order_id)
    WHERE status IN ('expired', 'failed', 'checkout_failed');
  CREATE INDEX IF NOT EXISTS late_orders ON orders (paid_at, order_id) WHERE late = 1;
`;

export function createIndexes(db: Database.Database): void {
  db.exec(INDEXES);
}

/**
 * The read models' file in DATA_DIR, whichever store holds the events: on EventStoreDB the
 * folder may not exist yet (a fresh container), and is made here.
 */
export function readModelsPathIn(dataDir: string): string {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new ConfigError(
      `Cannot use DATA_DIR ${dataDir} for the read models: ${(error as Error).message}`,
    );
  }
  return path.join(dataDir, 'readmodels.sqlite');
}

/** Opens (creating if needed) the read-model database. */
export function openReadModelDb(path: string): Database.Database {
  const db = new Database(path, { timeout: 5_000 });
  try {
    db.pragma('journal_mode = WAL');
    // Read models are disposable and the checkpoint commits with the rows: a lost commit is replayed.
    db.pragma('synchronous = NORMAL');
    // Rows of one order are spread over several B-trees keyed by random ids: a larger page
    // cache and fewer WAL checkpoints keep big catch-up commits from rewriting pages twice.
    db.pragma('cache_size = -8192');
    db.pragma('wal_autocheckpoint = 8192');
    db.exec(SCHEMA);
    addMissingColumns(db);
    createIndexes(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Brings a file written by an older version up to SCHEMA, so a server upgrade needs no rebuild. */
function addMissingColumns(db: Database.Database): void {
  const added = [
    ['orders', 'shortfall', SHORTFALL_COLUMN],
    ['orders', 'refunded', REFUNDED_COLUMN],
    ['orders', 'refunds', REFUNDS_COLUMN],
    ['sales_daily', 'refunded', REFUNDED_COLUMN],
    ['orders', 'disputes', DISPUTES_COLUMN],
    ['orders', 'lost_to_disputes', LOST_COLUMN],
    ['sales_daily', 'lost_to_disputes', LOST_COLUMN],
    ['sales_by_product', 'refunded', REFUNDED_COLUMN],
    ['sales_by_product', 'lost_to_disputes', LOST_COLUMN],
    ...CHECKPOINT_EVENT_COLUMNS.map(([name, type]) => ['checkpoint', name, type]),
  ] as const;
  const missing = () =>
    added.filter(
      ([table, name]) =>
        !db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, name),
    );
  // Read first: a file already up to date takes no write lock, so opening it never waits
  // for (or times out behind) another process's commit.
  if (missing().length === 0) return;
  // Immediate: two processes opening the file at once must not both add a column.
  db.transaction(() => {
    for (const [table, name, type] of missing())
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
  }).immediate();
}

/**
 * Opens a new private file for a rebuild: no journal and no fsync, since a rebuild that
 * dies is simply started again from the events (the file is only renamed into place once
 * complete), and an exclusive lock, since nothing else may read it half written. The
 * caller adds the other indexes with `createIndexes` once the rows are in. `cacheMb`: SQLite's
 * page cache, which the rows' B-trees fill as they grow.
 */
export function openRebuildDb(path: string, cacheMb = 32): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma(`cache_size = -${cacheMb * 1024}`);
    db.exec(SCHEMA);
    db.exec(LINES_INDEX);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Drops every read-model table, so the next runner rebuilds from the first event. */
export function dropReadModels(db: Database.Database): void {
  db.transaction(() => {
    for (const table of READ_MODEL_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
  })();
  db.exec(SCHEMA);
  createIndexes(db);
}
