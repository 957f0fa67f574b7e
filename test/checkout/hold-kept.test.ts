/**
 * `HoldKept` beyond the single-line race: a late payment on a two-line cart whose release
 * reached one product and not the other (one line re-taken, the other's hold kept), as the
 * product streams, the stock read model, catalog.list, the orders report and the sweep's
 * repair pass see it; and what the site owner can and cannot do to a kept hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productDecider } from '../../server/catalog/product';
import { type ProductEvent, productStream } from '../../server/domain/events';
import { checkpointPosition, headPosition } from '../faults/read-models';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp } from '../support/app';
import { spec } from '../support/decider-spec';
import { availableOf, checkout } from '../support/orders';
import { paidWhileReleaseWaits } from '../support/webhooks';

describe('a two-line late payment whose release reached one line before the payment', () => {
  const X = 'KEPT-X';
  const Y = 'KEPT-Y';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ catalog: [catalogEntry(X, 5), catalogEntry(Y, 5)] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const facts = async (sku: string, orderId: string) =>
    (await t.app.services.store.readStream(productStream(sku)))
      .filter((e) => (e.data as { orderId?: string }).orderId === orderId)
      .map((e) => `${e.type}:${(e.data as { quantity: number }).quantity}`);

  it('re-takes the released line, keeps the held one, and every figure agrees', async () => {
    const order = await checkout(
      t,
      [
        { sku: X, quantity: 2 },
        { sku: Y, quantity: 1 },
      ],
      'two-lines@example.com',
    );
    // The expiry's release has given X back and is on its way to Y when the payment lands.
    await paidWhileReleaseWaits(t, order, { held: (sku) => sku === Y, retakes: 2 });

    expect(await facts(X, order.orderId)).toEqual([
      'StockReserved:2',
      'StockReleased:2',
      'StockRetaken:2',
    ]);
    expect(await facts(Y, order.orderId)).toEqual(['StockReserved:1', 'HoldKept:1']);
    expect([await availableOf(t, X), await availableOf(t, Y)]).toEqual([3, 4]);
    await expect.poll(() => checkpointPosition(t.dataDir) === headPosition(t.dataDir)).toBe(true);
    const rows = (await t.admin.analytics.stock.query()).products;
    const row = (sku: string) => {
      const r = rows.find((p) => p.sku === sku)!;
      return { onHand: r.onHand, reserved: r.reserved, sold: r.sold, available: r.available };
    };
    expect(row(X)).toEqual({ onHand: 5, reserved: 0, sold: 2, available: 3 });
    expect(row(Y)).toEqual({ onHand: 5, reserved: 0, sold: 1, available: 4 });
    const report = (await t.admin.analytics.orders.query({ email: 'two-lines@example.com' }))
      .orders[0];
    expect(report).toMatchObject({ status: 'paid', flags: { late: true }, shortfall: [] });
    // Nothing for the repair pass or the ended-order walk to do, now or on a redelivery.
    expect(await t.app.sweep()).toMatchObject({ released: [], retaken: [], failed: [] });
    t.sandbox.resend(
      t.sandbox.events().findLast((e) => e.type === 'checkout.session.completed')!.id,
    );
    await t.sandbox.idle();
    await t.app.services.afterReply.settled();
    expect(await facts(Y, order.orderId)).toEqual(['StockReserved:1', 'HoldKept:1']);
    expect([await availableOf(t, X), await availableOf(t, Y)]).toEqual([3, 4]);
  });
});

describe('a kept hold and the site owner', () => {
  const given = spec(productDecider);
  const at = '2026-11-28T10:00:00.000Z';
  const sku = 'KEPT';
  const A = '11111111-1111-4111-8111-111111111111';
  const B = '22222222-2222-4222-8222-222222222222';
  const history: ProductEvent[] = [
    {
      type: 'ProductListed',
      data: { sku, name: sku, description: '', image: '', unitAmount: 1000, currency: 'eur', at },
    },
    { type: 'StockAdjusted', data: { sku, delta: 2, reason: 'initial stock', at } },
    { type: 'StockReserved', data: { sku, orderId: B, quantity: 2, expiresAt: at, at } },
    { type: 'StockReleased', data: { sku, orderId: B, quantity: 2, reason: 'swept', at } },
    { type: 'StockReserved', data: { sku, orderId: A, quantity: 2, expiresAt: at, at } },
    { type: 'StockShortfall', data: { sku, orderId: B, missing: 2, at } },
    { type: 'HoldKept', data: { sku, orderId: A, quantity: 2, at } },
  ];

  it('cannot adjust stock below the kept units, nor settle a shortfall the kept order does not have', () => {
    given(...history)
      .when({ type: 'AdjustStock', sku, delta: -1, reason: 'count', at })
      .thenRefused('stock_below_reserved');
    given(...history)
      .when({ type: 'SettleShortfall', sku, orderId: A, reason: 'refunded', at })
      .thenRefused('no_shortfall');
  });

  it('restocks to the older shortfall, never to or from the kept order', () => {
    given(...history)
      .when({ type: 'AdjustStock', sku, delta: 1, reason: 'delivery', at })
      .then(
        { type: 'StockAdjusted', data: { sku, delta: 1, reason: 'delivery', at } },
        { type: 'StockRetaken', data: { sku, orderId: B, quantity: 1, at } },
      );
  });
});
