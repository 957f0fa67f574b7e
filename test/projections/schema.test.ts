/** The read-model file across versions: a server upgrade opens the file an older one wrote. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { evolveOrder, type OrderView } from '../../projections/order';
import { openReadModelDb, openRebuildDb } from '../../projections/schema';
import { orderCodec, productSalesCodec, salesDailyCodec } from '../../projections/table-codecs';
import {
  cartValidated,
  checkoutExpired,
  disputeClosed,
  OTHER_ORDER,
  paymentCompleted,
  paymentDisputed,
  paymentRefunded,
  shortfall,
} from './builders';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-model-schema-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('adds the shortfall column to read models written before it, keeping their orders', () => {
  const file = path.join(dir, 'readmodels.sqlite');
  const events = [cartValidated([{ sku: 'mug', quantity: 2 }]), checkoutExpired()];
  const expired = events.reduce<OrderView | null>(evolveOrder, null)!;
  // Given: a file as the version before shortfalls wrote it, holding one order.
  const old = openReadModelDb(file);
  orderCodec(old).save(expired, false);
  old.exec('ALTER TABLE orders DROP COLUMN shortfall');
  old.close();

  const db = openReadModelDb(file);
  try {
    const orders = orderCodec(db);
    expect(orders.load(expired.orderId)).toEqual(expired);
    // A new order is inserted by column name: the column added back now comes after later ones.
    const other = [
      cartValidated([{ sku: 'mug', quantity: 1 }], OTHER_ORDER),
    ].reduce<OrderView | null>(evolveOrder, null)!;
    orders.save(other, false);
    expect(orders.load(OTHER_ORDER)).toEqual(other);
    const paid = evolveOrder(expired, paymentCompleted(3000, undefined, '2T10:00:09', true))!;
    const short = evolveOrder(paid, shortfall('mug', 2))!;
    orders.save(short, true);
    expect(orders.load(expired.orderId)?.shortfall).toEqual([{ sku: 'mug', missing: 2 }]);
  } finally {
    db.close();
  }
});

it('adds the refund columns to read models written before them, keeping their figures', () => {
  const file = path.join(dir, 'readmodels.sqlite');
  const events = [cartValidated([{ sku: 'mug', quantity: 2 }]), paymentCompleted(3000)];
  const paid = events.reduce<OrderView | null>(evolveOrder, null)!;
  // Given: a file as the version before refunds wrote it, holding one paid order and its day.
  const old = openReadModelDb(file);
  orderCodec(old).save(paid, false);
  salesDailyCodec(old).save(
    {
      day: '2024-03-01',
      currency: 'eur',
      revenue: 3000,
      orders: 1,
      units: 2,
      refunded: 0,
      lost_to_disputes: 0,
    },
    false,
  );
  old.exec('ALTER TABLE orders DROP COLUMN refunded');
  old.exec('ALTER TABLE orders DROP COLUMN refunds');
  old.exec('ALTER TABLE sales_daily DROP COLUMN refunded');
  old.close();

  const db = openReadModelDb(file);
  try {
    const orders = orderCodec(db);
    expect(orders.load(paid.orderId)).toEqual(paid);
    const refunded = evolveOrder(paid, paymentRefunded(1000, 1000))!;
    orders.save(refunded, true);
    expect(orders.load(paid.orderId)).toMatchObject({
      refunded: 1000,
      refunds: [{ amount: 1000 }],
    });
    expect(salesDailyCodec(db).load('2024-03-01|eur')).toMatchObject({
      revenue: 3000,
      refunded: 0,
    });
  } finally {
    db.close();
  }
});

it('adds the dispute columns to read models written before them, keeping their figures', () => {
  const file = path.join(dir, 'readmodels.sqlite');
  const events = [cartValidated([{ sku: 'mug', quantity: 2 }]), paymentCompleted(3000)];
  const paid = events.reduce<OrderView | null>(evolveOrder, null)!;
  // Given: a file as the version before disputes wrote it, holding one paid order and its day.
  const old = openReadModelDb(file);
  orderCodec(old).save(paid, false);
  const day = { day: '2024-03-01', currency: 'eur', revenue: 3000, orders: 1, units: 2 };
  salesDailyCodec(old).save({ ...day, refunded: 0, lost_to_disputes: 0 }, false);
  old.exec('ALTER TABLE orders DROP COLUMN disputes');
  old.exec('ALTER TABLE orders DROP COLUMN lost_to_disputes');
  old.exec('ALTER TABLE sales_daily DROP COLUMN lost_to_disputes');
  old.close();

  const db = openReadModelDb(file);
  try {
    const orders = orderCodec(db);
    expect(orders.load(paid.orderId)).toEqual(paid);
    const disputed = evolveOrder(paid, paymentDisputed(3000))!;
    const lost = evolveOrder(disputed, disputeClosed('lost', 3000))!;
    orders.save(lost, true);
    expect(orders.load(paid.orderId)).toMatchObject({
      lostToDisputes: 3000,
      disputes: [{ id: 'dp_1', amount: 3000, outcome: 'lost' }],
    });
    expect(salesDailyCodec(db).load('2024-03-01|eur')).toEqual({
      ...day,
      refunded: 0,
      lost_to_disputes: 0,
    });
  } finally {
    db.close();
  }
});

it('adds the per-product refund and dispute columns to read models written before them, as 0', () => {
  const file = path.join(dir, 'readmodels.sqlite');
  const mug = { day: '2024-03-01', sku: 'mug', currency: 'eur', name: 'Mug' };
  // Given: a file as the version before them wrote it, holding one product's day.
  const old = openReadModelDb(file);
  old
    .prepare(
      `INSERT INTO sales_by_product (day, sku, currency, name, revenue, units, orders)
       VALUES ('2024-03-01', 'mug', 'eur', 'Mug', 3000, 2, 1)`,
    )
    .run();
  old.exec('ALTER TABLE sales_by_product DROP COLUMN refunded');
  old.exec('ALTER TABLE sales_by_product DROP COLUMN lost_to_disputes');
  old.close();

  const db = openReadModelDb(file);
  try {
    const products = productSalesCodec(db);
    const day = { ...mug, revenue: 3000, units: 2, orders: 1 };
    expect(products.load('2024-03-01|mug|eur')).toEqual({
      ...day,
      refunded: 0,
      lost_to_disputes: 0,
    });
    products.save({ ...day, refunded: 1000, lost_to_disputes: 500 }, true);
    expect(products.load('2024-03-01|mug|eur')).toEqual({
      ...day,
      refunded: 1000,
      lost_to_disputes: 500,
    });
  } finally {
    db.close();
  }
});

it('opens a file already up to date while another process commits to it, without waiting for its lock', () => {
  const file = path.join(dir, 'readmodels.sqlite');
  openReadModelDb(file).close();
  // Given: another server's runner in the middle of a commit.
  const writer = new Database(file);
  writer.exec('BEGIN IMMEDIATE');
  writer.exec('INSERT INTO checkpoint (id, position, events) VALUES (1, 0, 1)');
  try {
    const started = performance.now();
    openReadModelDb(file).close();
    expect(performance.now() - started).toBeLessThan(1_000);
  } finally {
    writer.exec('COMMIT');
    writer.close();
  }
});

it('gives a rebuild the index it reads order lines by from the start, not only at the end', () => {
  // An order heard of again after leaving the rebuild's cache (a dispute weeks on) loads its
  // lines: without the index, a scan of every line written so far, once per such event.
  const db = openRebuildDb(path.join(dir, 'rebuild.sqlite'));
  try {
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no')
      .all('x') as { detail: string }[];
    expect(plan.map((step) => step.detail).join(' ')).toContain('USING INDEX order_lines_by_order');
  } finally {
    db.close();
  }
});
