/**
 * The analytics figures, checked against an oracle computed directly from the raw events of
 * a generated 10,000-order history (written here on purpose, without the projections' code).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { funnelReport, ordersReport, salesReport, stockReport } from '../../projections/queries';
import { type ProjectionRunner, startProjectionRunner } from '../../projections/runner';
import type { DomainEvent, EventOf } from '../../server/domain/events';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { generateHistory, type HistoryStats } from './history';

const dir = mkdtempSync(join(tmpdir(), 'projections-analytics-'));
let store: SqliteEventStore;
let runner: ProjectionRunner;
let stats: HistoryStats;
let events: DomainEvent[];

beforeAll(async () => {
  store = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
  stats = await generateHistory(store, { orders: 10_000, seed: 2024 });
  events = (await store.readAll()).map((e) => ({ type: e.type, data: e.data }) as DomainEvent);
  runner = await startProjectionRunner({ store, dbPath: join(dir, 'readmodels.sqlite') });
  await runner.caughtUp;
}, 120_000);

afterAll(async () => {
  await runner?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const of = <K extends DomainEvent['type']>(type: K) =>
  events.filter((e): e is EventOf<K> => e.type === type);
const day = (at: string) => at.slice(0, 10);
const add = (map: Map<string, number>, key: string, n: number) =>
  map.set(key, (map.get(key) ?? 0) + n);

function orderEvents(): Map<string, DomainEvent[]> {
  const byOrder = new Map<string, DomainEvent[]>();
  for (const e of events) {
    if (e.type.startsWith('Stock') || !('orderId' in e.data)) continue;
    byOrder.set(e.data.orderId, [...(byOrder.get(e.data.orderId) ?? []), e]);
  }
  return byOrder;
}

/**
 * `amount` in whole shares of `weights`: the floor of each exact share, then one more unit to
 * the largest remainders, earlier weights first on a tie (the rule projections/README.md gives).
 */
function largestRemainder(amount: number, weights: number[]): number[] {
  const whole = BigInt(weights.reduce((sum, w) => sum + w, 0));
  const quotas = weights.map((w) => {
    const exact = BigInt(amount) * BigInt(w);
    let floor = exact / whole;
    if (floor * whole > exact) floor -= 1n;
    return { floor, remainder: exact - floor * whole };
  });
  let left = BigInt(amount) - quotas.reduce((sum, q) => sum + q.floor, 0n);
  const ranked = quotas
    .map((q, i) => ({ ...q, i }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of ranked) {
    if (left === 0n) break;
    quotas[i]!.floor += 1n;
    left -= 1n;
  }
  return quotas.map((q) => Number(q.floor));
}

function finalStatus(mine: DomainEvent[]): string {
  if (mine.some((e) => e.type === 'PaymentCompleted')) return 'paid';
  const last = mine
    .filter((e) =>
      [
        'CheckoutExpired',
        'PaymentFailed',
        'CheckoutFailed',
        'PaymentPending',
        'CheckoutStarted',
      ].includes(e.type),
    )
    .at(-1);
  const statusAfter: Record<string, string> = {
    CheckoutExpired: 'expired',
    PaymentFailed: 'failed',
    CheckoutFailed: 'checkout_failed',
    PaymentPending: 'pending',
    CheckoutStarted: 'checkout_started',
  };
  return statusAfter[last?.type ?? ''] ?? 'validated';
}

describe('analytics over a generated history', () => {
  it('covers at least 10,000 orders with every outcome', () => {
    expect(of('CartValidated')).toHaveLength(10_000);
    for (const [outcome, count] of Object.entries(stats.outcomes))
      expect(count, outcome).toBeGreaterThan(0);
  });

  it('reports the revenue, orders, units, average order value and refunds per day and currency', () => {
    const carts = new Map(of('CartValidated').map((e) => [e.data.orderId, e.data]));
    const revenue = new Map<string, number>();
    const orders = new Map<string, number>();
    const units = new Map<string, number>();
    for (const payment of of('PaymentCompleted')) {
      const key = `${day(payment.data.at)}|${payment.data.currency}`;
      add(revenue, key, payment.data.amount);
      add(orders, key, 1);
      add(
        units,
        key,
        carts.get(payment.data.orderId)!.lines.reduce((s, l) => s + l.quantity, 0),
      );
    }
    // A refund counts on the day Stripe made it, whichever day the sale was.
    const refunded = new Map<string, number>();
    for (const refund of of('PaymentRefunded')) {
      const key = `${day(refund.data.refundedAt ?? refund.data.at)}|${refund.data.currency}`;
      add(refunded, key, refund.data.amount);
    }
    expect(refunded.size).toBeGreaterThan(0);
    // A refund that failed is taken back on the day it failed.
    const failures = of('RefundFailed');
    expect(failures.length).toBeGreaterThan(0);
    for (const failed of failures)
      add(refunded, `${day(failed.data.failedAt)}|${failed.data.currency}`, -failed.data.amount);
    // A dispute lost counts on the day it closed.
    const lost = new Map<string, number>();
    for (const closed of of('DisputeClosed')) {
      if (closed.data.lost === 0) continue;
      add(lost, `${day(closed.data.closedAt)}|${closed.data.currency}`, closed.data.lost);
    }
    expect(lost.size).toBeGreaterThan(0);
    const keys = new Set([...revenue.keys(), ...refunded.keys(), ...lost.keys()]);
    const expected = [...keys].sort().map((key) => {
      const [d, currency] = key.split('|');
      const paidOrders = orders.get(key) ?? 0;
      return {
        day: d,
        currency,
        revenue: revenue.get(key) ?? 0,
        orders: paidOrders,
        units: units.get(key) ?? 0,
        averageOrderValue: paidOrders > 0 ? Math.round(revenue.get(key)! / paidOrders) : 0,
        refunded: refunded.get(key) ?? 0,
        lostToDisputes: lost.get(key) ?? 0,
      };
    });
    expect(salesReport(runner.db, {}).days).toEqual(expected);

    const from = expected[3]!.day!;
    const to = expected[9]!.day!;
    const inRange = expected.filter((d) => d.day! >= from && d.day! <= to);
    const eur = inRange.filter((d) => d.currency === 'eur');
    const eurRevenue = eur.reduce((s, d) => s + d.revenue!, 0);
    const eurOrders = eur.reduce((s, d) => s + d.orders!, 0);
    expect(salesReport(runner.db, { from, to }).totals.find((t) => t.currency === 'eur')).toEqual({
      currency: 'eur',
      revenue: eurRevenue,
      orders: eurOrders,
      units: eur.reduce((s, d) => s + d.units!, 0),
      averageOrderValue: Math.round(eurRevenue / eurOrders),
      refunded: eur.reduce((s, d) => s + d.refunded, 0),
      lostToDisputes: eur.reduce((s, d) => s + d.lostToDisputes, 0),
    });
  });

  it('reports revenue and units per product from the lines of paid orders', () => {
    const carts = new Map(of('CartValidated').map((e) => [e.data.orderId, e.data]));
    const revenue = new Map<string, number>();
    const units = new Map<string, number>();
    for (const payment of of('PaymentCompleted')) {
      for (const line of carts.get(payment.data.orderId)!.lines) {
        add(revenue, `${line.sku}|${payment.data.currency}`, line.amount);
        add(units, `${line.sku}|${payment.data.currency}`, line.quantity);
      }
    }
    const products = salesReport(runner.db, {}).products;
    expect(products).toHaveLength(revenue.size);
    for (const p of products) {
      expect(p.revenue, p.sku).toBe(revenue.get(`${p.sku}|${p.currency}`));
      expect(p.units, p.sku).toBe(units.get(`${p.sku}|${p.currency}`));
    }
    // Ranked within each currency: minor units of two currencies do not compare.
    const ranks = products.map((p) => ({ currency: p.currency, revenue: p.revenue }));
    expect(ranks).toEqual(
      [...ranks].sort((a, b) => a.currency.localeCompare(b.currency) || b.revenue - a.revenue),
    );
  });

  it("shares each day's refunds and disputes lost over the products by line amount, adding up to the day", () => {
    // Per order: its skus, in the order of their first line, with what each came to; and the
    // running sums of what went back: an entry gives each sku its share of the sum after it
    // less its share of the sum before.
    const orders = new Map<string, { currency: string; skus: string[]; amounts: number[] }>();
    for (const cart of of('CartValidated')) {
      const bySku = new Map<string, number>();
      for (const line of cart.data.lines)
        bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.amount);
      const { orderId, currency } = cart.data;
      orders.set(orderId, { currency, skus: [...bySku.keys()], amounts: [...bySku.values()] });
    }
    const expected = new Map<string, { refunded: number; lost: number }>();
    const sums = new Map<string, number>();
    const lostSoFar = new Map<string, number>();
    let uneven = 0;
    const wentBack = (orderId: string, at: string, amount: number, kind: 'refunded' | 'lost') => {
      const { currency, skus, amounts } = orders.get(orderId)!;
      const before = sums.get(`${orderId}|${kind}`) ?? 0;
      const after = before + amount;
      sums.set(`${orderId}|${kind}`, after);
      const was = largestRemainder(before, amounts);
      const now = largestRemainder(after, amounts);
      const total = amounts.reduce((sum, a) => sum + a, 0);
      if (now.some((share, i) => share !== (after * amounts[i]!) / total)) uneven += 1;
      skus.forEach((sku, i) => {
        const key = `${day(at)}|${sku}|${currency}`;
        const row = expected.get(key) ?? { refunded: 0, lost: 0 };
        row[kind] += now[i]! - was[i]!;
        expected.set(key, row);
      });
    };
    for (const e of events) {
      if (e.type === 'PaymentRefunded')
        wentBack(e.data.orderId, e.data.refundedAt ?? e.data.at, e.data.amount, 'refunded');
      if (e.type === 'RefundFailed')
        wentBack(e.data.orderId, e.data.failedAt, -e.data.amount, 'refunded');
      if (e.type === 'DisputeClosed') {
        const change = e.data.lost - (lostSoFar.get(e.data.disputeId) ?? 0);
        lostSoFar.set(e.data.disputeId, e.data.lost);
        if (change !== 0) wentBack(e.data.orderId, e.data.closedAt, change, 'lost');
      }
    }
    // The history has amounts that do not split evenly, to share by the largest remainders.
    expect(uneven).toBeGreaterThan(0);
    const nonZero = (rows: [string, { refunded: number; lost: number }][]) =>
      new Map(rows.filter(([, row]) => row.refunded !== 0 || row.lost !== 0));
    const stored = runner.db
      .prepare<[], { day: string; sku: string; currency: string; refunded: number; lost: number }>(
        'SELECT day, sku, currency, refunded, lost_to_disputes AS lost FROM sales_by_product',
      )
      .all()
      .map((r): [string, { refunded: number; lost: number }] => [
        `${r.day}|${r.sku}|${r.currency}`,
        { refunded: r.refunded, lost: r.lost },
      ]);
    expect(nonZero(stored)).toEqual(nonZero([...expected]));

    // Per day and currency, the products' shares add up to the day's figures.
    const days = runner.db
      .prepare<[], { day: string; refunded: number; lost: number; products: string }>(
        `SELECT d.day || '|' || d.currency AS day, d.refunded, d.lost_to_disputes AS lost,
           (SELECT json_array(COALESCE(SUM(p.refunded), 0), COALESCE(SUM(p.lost_to_disputes), 0))
            FROM sales_by_product p WHERE p.day = d.day AND p.currency = d.currency) AS products
         FROM sales_daily d`,
      )
      .all();
    expect(days.some((d) => d.refunded !== 0) && days.some((d) => d.lost !== 0)).toBe(true);
    for (const d of days) expect(JSON.parse(d.products), d.day).toEqual([d.refunded, d.lost]);

    // And the report gives each product the sum of its shares.
    for (const p of salesReport(runner.db, {}).products) {
      const mine = [...expected].filter(([key]) => key.endsWith(`|${p.sku}|${p.currency}`));
      expect([p.refunded, p.lostToDisputes], p.sku).toEqual([
        mine.reduce((sum, [, row]) => sum + row.refunded, 0),
        mine.reduce((sum, [, row]) => sum + row.lost, 0),
      ]);
    }
  });

  it('reports the funnel per cohort day with conversion rates', () => {
    const cohorts = new Map<string, Record<string, number>>();
    const started = new Set(of('CheckoutStarted').map((e) => e.data.orderId));
    const statusOf = new Map<string, string>();
    const byOrder = orderEvents();
    let sweptUnstarted = 0;
    for (const cart of of('CartValidated')) {
      const status = finalStatus(byOrder.get(cart.data.orderId)!);
      statusOf.set(cart.data.orderId, status);
      const row = cohorts.get(day(cart.data.at)) ?? {};
      const bump = (k: string) => (row[k] = (row[k] ?? 0) + 1);
      bump('cartsValidated');
      if (started.has(cart.data.orderId)) bump('checkoutsStarted');
      // A cart the sweep expired before it reached Stripe was abandoned, not expired.
      const swept = status === 'expired' && !started.has(cart.data.orderId);
      bump(
        swept
          ? 'abandoned'
          : {
              paid: 'paid',
              expired: 'expired',
              failed: 'failed',
              checkout_failed: 'checkoutFailed',
              validated: 'abandoned',
              pending: 'open',
              checkout_started: 'open',
            }[status]!,
      );
      if (swept) {
        sweptUnstarted += 1;
        statusOf.set(cart.data.orderId, 'abandoned');
      }
      cohorts.set(day(cart.data.at), row);
    }
    expect(sweptUnstarted).toBeGreaterThan(0);
    const report = funnelReport(runner.db, {});
    expect(report.days.map((d) => d.day)).toEqual([...cohorts.keys()].sort());
    for (const d of report.days) {
      const row = cohorts.get(d.day)!;
      for (const key of [
        'cartsValidated',
        'checkoutsStarted',
        'paid',
        'expired',
        'failed',
        'checkoutFailed',
        'abandoned',
        'open',
      ] as const) {
        expect(d[key], `${d.day} ${key}`).toBe(row[key] ?? 0);
      }
      expect(d.conversionRate).toBeCloseTo(d.paid / d.cartsValidated, 4);
    }
    expect(report.totals.cartsValidated).toBe(10_000);
    expect(report.totals.paid).toBe(of('PaymentCompleted').length);

    // The orders report lists what the funnel counts: its `expired` are sessions that expired
    // at Stripe; carts ended before they reached Stripe are `abandoned`.
    for (const status of ['expired', 'abandoned'] as const) {
      const listed = ordersReport(runner.db, { status, page: 1, pageSize: 500 });
      const expected = [...statusOf.values()].filter((s) => s === status).length;
      expect(listed.total, status).toBe(expected);
      expect(new Set(listed.orders.map((o) => o.status))).toEqual(new Set([status]));
    }
    expect(report.totals.expired).toBe(
      ordersReport(runner.db, { status: 'expired', pageSize: 1 }).total,
    );
  });

  it('reports stock on hand, reserved, sold and available per sku', () => {
    const paid = new Set(of('PaymentCompleted').map((e) => e.data.orderId));
    const onHand = new Map<string, number>();
    const held = new Map<string, number>();
    for (const e of of('StockAdjusted')) add(onHand, e.data.sku, e.data.delta);
    for (const e of of('StockReserved'))
      add(held, `${e.data.sku}|${e.data.orderId}`, e.data.quantity);
    for (const e of of('StockReleased'))
      add(held, `${e.data.sku}|${e.data.orderId}`, -e.data.quantity);
    for (const e of of('StockRetaken'))
      add(held, `${e.data.sku}|${e.data.orderId}`, e.data.quantity);
    const reserved = new Map<string, number>();
    const sold = new Map<string, number>();
    for (const [key, units] of held) {
      const [sku, orderId] = key.split('|') as [string, string];
      add(paid.has(orderId) ? sold : reserved, sku, units);
    }
    const delisted = new Set(of('ProductDelisted').map((e) => e.data.sku));
    for (const p of stockReport(runner.db).products) {
      const expected = {
        onHand: onHand.get(p.sku) ?? 0,
        reserved: reserved.get(p.sku) ?? 0,
        sold: sold.get(p.sku) ?? 0,
      };
      expect(p, p.sku).toMatchObject({
        ...expected,
        available: expected.onHand - expected.reserved - expected.sold,
        listed: !delisted.has(p.sku),
      });
    }
  });

  it('shows on each order the units its late payment found missing, less those a restock filled or the site owner settled, per sku', () => {
    // Every order that was ever short, with what it should show now (often nothing left).
    const expected = new Map<string, { sku: string; missing: number; settled?: number }[]>();
    let fills = 0;
    for (const e of events) {
      if (e.type === 'StockShortfall') {
        const { orderId, sku, missing } = e.data;
        expected.set(orderId, [...(expected.get(orderId) ?? []), { sku, missing }]);
      }
      if (e.type === 'ShortfallSettled') {
        const { orderId, sku, units } = e.data;
        const settled = { sku, missing: 0, settled: units };
        expected.set(
          orderId,
          expected.get(orderId)!.map((s) => (s.sku === sku ? settled : s)),
        );
      }
      // Only a restock's re-take comes after the order's shortfall: it fills it.
      if (e.type !== 'StockRetaken') continue;
      const { orderId, sku, quantity } = e.data;
      const before = expected.get(orderId);
      if (!before?.some((s) => s.sku === sku && s.missing > 0)) continue;
      fills += 1;
      expected.set(
        orderId,
        before
          .map((s) => (s.sku === sku ? { sku, missing: s.missing - quantity } : s))
          .filter((s) => s.missing > 0 || s.settled !== undefined),
      );
    }
    expect([of('StockShortfall').length, fills, of('ShortfallSettled').length]).not.toContain(0);
    const row = runner.db.prepare<[string], { shortfall: string; late: number; status: string }>(
      'SELECT shortfall, late, status FROM orders WHERE order_id = ?',
    );
    for (const [orderId, shortfall] of expected) {
      const found = row.get(orderId);
      expect(found, orderId).toMatchObject({ late: 1, status: 'paid' });
      expect(JSON.parse(found!.shortfall), orderId).toEqual(shortfall);
    }
    // And no other order shows a shortfall.
    const short = runner.db
      .prepare<[], { order_id: string }>("SELECT order_id FROM orders WHERE shortfall <> '[]'")
      .all();
    for (const { order_id } of short) expect(expected.has(order_id), order_id).toBe(true);
  });

  it('pages orders newest first and filters by email and date', () => {
    const carts = of('CartValidated');
    const email = carts[123]!.data.email;
    const matching = carts.filter((c) => c.data.email.includes(email.toUpperCase().toLowerCase()));
    const page1 = ordersReport(runner.db, { email: email.toUpperCase(), page: 1, pageSize: 2 });
    expect(page1.total).toBe(matching.length);
    const all = [1, 2, 3, 4, 5].flatMap(
      (page) => ordersReport(runner.db, { email, page, pageSize: 2 }).orders,
    );
    expect(all.map((o) => o.orderId).sort()).toEqual(matching.map((c) => c.data.orderId).sort());
    expect(all.map((o) => o.createdAt)).toEqual([...all.map((o) => o.createdAt)].sort().reverse());

    const firstDay = day(carts[0]!.data.at);
    const sameDay = ordersReport(runner.db, { from: firstDay, to: firstDay, page: 1, pageSize: 1 });
    expect(sameDay.total).toBe(carts.filter((c) => day(c.data.at) === firstDay).length);
  });
});
