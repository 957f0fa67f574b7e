/**
 * Per-product refunds and disputes lost, as the site owner and the analyst read them in
 * sales_by_product and analytics.sales: a later day's news never rewrites a past day's
 * figures or names (an order's two disputes closing in the other order, an appeal, a
 * refund of a sale whose day a renamed product's sale named since).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryReadModels, Projector } from '../../projections/apply';
import { salesReport } from '../../projections/queries';
import { startProjectionRunner } from '../../projections/runner';
import type { ProductSales } from '../../projections/sales';
import { orderStream } from '../../server/domain/events';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import {
  cartValidated,
  checkoutStarted,
  type DomainEvent,
  disputeClosed,
  ORDER,
  OTHER_ORDER,
  paymentCompleted,
  paymentDisputed,
  paymentRefunded,
} from './builders';

function projector() {
  const models = memoryReadModels();
  const p = new Projector(models);
  const products = models.productSales as Map<string, ProductSales>;
  const rows = (day: string) =>
    [...products.values()]
      .filter((row) => row.day === day)
      .map((row) => `${row.sku} ${row.refunded} ${row.lost_to_disputes}`)
      .sort();
  return {
    apply: (...events: DomainEvent[]) => {
      for (const event of events) p.apply(event);
    },
    rows,
    row: (key: string) => products.get(key),
  };
}

/** Two skus at €15.00 each: every loss is shared 1:1. */
const even = cartValidated([
  { sku: 'mug', quantity: 1 },
  { sku: 'tee', quantity: 1 },
]);
const paid = [even, checkoutStarted(3000), paymentCompleted(3000, ORDER, '1T10:06:00')];

describe('disputes lost per product stay on the day they were booked', () => {
  it('leaves a past day as it was when a dispute of the order opened earlier closes later', () => {
    const p = projector();
    p.apply(
      ...paid,
      paymentDisputed(1, 'dp_1', ORDER, '2T09:00:00'),
      paymentDisputed(1, 'dp_2', ORDER, '2T10:00:00'),
      // dp_2 is decided first, on the 5th: one unit lost, booked to one of the two skus.
      disputeClosed('lost', 1, 'dp_2', ORDER, '5T09:00:00'),
    );
    const fifthAsBooked = p.rows('2024-03-05');
    expect(fifthAsBooked).toHaveLength(1);
    // dp_1 is decided on the 6th: nothing happened on the 5th, so the 5th must not change.
    p.apply(disputeClosed('lost', 1, 'dp_1', ORDER, '6T09:00:00'));
    expect(p.rows('2024-03-05')).toEqual(fifthAsBooked);
  });

  it('leaves a past day as it was when an appeal wins back the earlier of two disputes', () => {
    const p = projector();
    p.apply(
      ...paid,
      paymentDisputed(1, 'dp_1', ORDER, '2T09:00:00'),
      paymentDisputed(1, 'dp_2', ORDER, '2T10:00:00'),
      disputeClosed('lost', 1, 'dp_1', ORDER, '4T09:00:00'),
      disputeClosed('lost', 1, 'dp_2', ORDER, '5T09:00:00'),
    );
    const fourth = p.rows('2024-03-04');
    const fifth = p.rows('2024-03-05');
    // On the 8th an appeal wins dp_1 back: only the 8th may change.
    p.apply(disputeClosed('won', 0, 'dp_1', ORDER, '8T09:00:00', 2));
    expect(p.rows('2024-03-04')).toEqual(fourth);
    expect(p.rows('2024-03-05')).toEqual(fifth);
  });

  it("answers analytics.sales for a closed past day the same before and after a later day's closing", async () => {
    const before = [
      ...paid,
      paymentDisputed(1, 'dp_1', ORDER, '2T09:00:00'),
      paymentDisputed(1, 'dp_2', ORDER, '2T10:00:00'),
      disputeClosed('lost', 1, 'dp_2', ORDER, '5T09:00:00'),
    ];
    /** The per-product figures of March 5th over a store holding `events`. */
    async function fifth(events: DomainEvent[]) {
      const dir = mkdtempSync(join(tmpdir(), 'sales-per-product-'));
      const store = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
      try {
        for (const event of events)
          await store.append(orderStream(ORDER), [{ id: crypto.randomUUID(), ...event }], {
            expectedRevision: 'any',
          });
        const runner = await startProjectionRunner({ store, dbPath: join(dir, 'rm.sqlite') });
        try {
          await runner.caughtUp;
          return salesReport(runner.db, { from: '2024-03-05', to: '2024-03-05' }).products.map(
            (p) => `${p.sku} ${p.lostToDisputes}`,
          );
        } finally {
          await runner.close();
        }
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const asReportedOnThe5th = await fifth(before);
    const asReportedLater = await fifth([
      ...before,
      disputeClosed('lost', 1, 'dp_1', ORDER, '6T09:00:00'),
    ]);
    expect(asReportedLater).toEqual(asReportedOnThe5th);
  });
});

describe('the product name of a day of sales', () => {
  it('keeps the name of the latest sale of the day when an earlier sale that day is refunded later', () => {
    const p = projector();
    const first = cartValidated([{ sku: 'mug', quantity: 1 }], ORDER, '3T08:00:00');
    first.data.lines[0]!.name = 'Mug';
    // The site owner renames the product at 09:00; the next sale that day carries the new name.
    const second = cartValidated([{ sku: 'mug', quantity: 1 }], OTHER_ORDER, '3T10:00:00');
    second.data.lines[0]!.name = 'Mug, renamed';
    p.apply(
      first,
      checkoutStarted(1500, ORDER, '3T08:00:01'),
      paymentCompleted(1500, ORDER, '3T08:05:00'),
      second,
      checkoutStarted(1500, OTHER_ORDER, '3T10:00:01'),
      paymentCompleted(1500, OTHER_ORDER, '3T10:05:00'),
    );
    expect(p.row('2024-03-03|mug|eur')?.name).toBe('Mug, renamed');
    // Days later the first shopper is refunded: the 3rd's sales are what they were.
    p.apply(paymentRefunded(1500, 1500, ORDER, '6T09:00:00'));
    expect(p.row('2024-03-03|mug|eur')?.name).toBe('Mug, renamed');
  });
});
