/** The reports CLI's orders report of disputed orders: the same flag as the page, and what each lost. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolveOrder, type OrderView } from '../../projections/order';
import { renderReport } from '../../projections/report';
import { openReadModelDb } from '../../projections/schema';
import { orderCodec } from '../../projections/table-codecs';
import {
  cartValidated,
  checkoutStarted,
  type DomainEvent,
  disputeClosed,
  paymentCompleted,
  paymentDisputed,
} from './builders';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-disputes-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The orders report's CSV row of the order these events make, by column name. */
function ordersRow(...events: DomainEvent[]): Record<string, string> {
  const paid = [
    cartValidated([{ sku: 'mug', quantity: 2 }]),
    checkoutStarted(3000),
    paymentCompleted(3000),
  ];
  const view = [...paid, ...events].reduce<OrderView | null>(evolveOrder, null)!;
  const db = openReadModelDb(path.join(dir, `${Math.random().toString(36).slice(2)}.sqlite`));
  try {
    orderCodec(db).save(view, false);
    const [header, row] = renderReport(db, 'orders', { csv: true }).trim().split('\n');
    const cells = row!.split(',');
    return Object.fromEntries(header!.split(',').map((name, i) => [name, cells[i] ?? '']));
  } finally {
    db.close();
  }
}

describe('the orders report of a disputed order', () => {
  it('flags the latest opened dispute, whatever order its notices were recorded in', () => {
    const row = ordersRow(
      paymentDisputed(3000, 'dp_chargeback', undefined, '9T09:00:00'),
      paymentDisputed(3000, 'dp_inquiry', undefined, '4T09:00:00'),
      disputeClosed('warning_closed', 0, 'dp_inquiry', undefined, '9T10:00:00'),
    );
    expect(row.flags).toBe('disputed');
  });

  it('gives what the order lost to disputes beside what was refunded', () => {
    const row = ordersRow(paymentDisputed(3000), disputeClosed('lost', 3000));
    expect(row).toMatchObject({ refunded: '0', lost_to_disputes: '3000', flags: 'dispute_lost' });
  });
});
