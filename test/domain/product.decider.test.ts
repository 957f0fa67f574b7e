import { describe, expect, it } from 'vitest';
import { decideInOrder, type ProductChanges, productDecider } from '../../server/catalog/product';
import type { ProductEvent } from '../../server/domain/events';
import { spec } from '../support/decider-spec';

const given = spec(productDecider);
const at = '2026-11-26T10:00:00.000Z';
const expiresAt = '2026-11-26T10:31:00.000Z';
const orderA = '11111111-1111-4111-8111-111111111111';
const orderB = '22222222-2222-4222-8222-222222222222';
const orderC = '33333333-3333-4333-8333-333333333333';
const card = {
  sku: 'PELE-1958',
  name: 'Pelé',
  description: 'rookie',
  image: '/images/pele.svg',
  unitAmount: 18900,
  currency: 'eur',
};
const listed: ProductEvent = { type: 'ProductListed', data: { ...card, at } };
const stocked = (delta: number): ProductEvent => ({
  type: 'StockAdjusted',
  data: { sku: card.sku, delta, reason: 'initial stock', at },
});
const reserved = (orderId: string, quantity: number): ProductEvent => ({
  type: 'StockReserved',
  data: { sku: card.sku, orderId, quantity, expiresAt, at },
});
const retaken = (orderId: string, quantity: number): ProductEvent => ({
  type: 'StockRetaken',
  data: { sku: card.sku, orderId, quantity, at },
});
const shortfall = (orderId: string, missing: number): ProductEvent => ({
  type: 'StockShortfall',
  data: { sku: card.sku, orderId, missing, at },
});
const reserve = (orderId: string, quantity: number) =>
  ({ type: 'ReserveStock', sku: card.sku, orderId, quantity, expiresAt, at }) as const;
const release = (
  orderId: string,
  reason: 'expired' | 'cancelled' = 'expired',
  fillShortfalls = true,
) => ({ type: 'ReleaseStock', sku: card.sku, orderId, reason, at, fillShortfalls }) as const;

describe('product decider', () => {
  it('lists a new product with its initial stock', () => {
    given().when({ type: 'ListProduct', product: card, stock: 3, at }).then(listed, stocked(3));
  });

  it('refuses to list a product already listed: updateProduct and adjustStock change it', () => {
    given(listed, stocked(3))
      .when({ type: 'ListProduct', product: { ...card, unitAmount: 19900 }, stock: 3, at })
      .thenRefused('already_listed');
    given(listed, stocked(3))
      .when({ type: 'ListProduct', product: card, stock: 0, at })
      .thenRefused('already_listed');
  });

  it('lists a delisted product again, with the stock it has', () => {
    const delisted: ProductEvent = { type: 'ProductDelisted', data: { sku: card.sku, at } };
    given(listed, stocked(3), delisted)
      .when({ type: 'ListProduct', product: card, stock: 0, at })
      .then({ type: 'ProductListed', data: { ...card, at } });
    given(listed, stocked(3), delisted)
      .when({ type: 'ListProduct', product: card, stock: 9, at })
      .thenRefused('stock_on_relist');
  });

  describe('an update (UpdateProduct)', () => {
    const update = (changes: ProductChanges) =>
      ({ type: 'UpdateProduct', sku: card.sku, changes, at }) as const;

    it('changes the details it names and records the product whole', () => {
      given(listed)
        .when(update({ unitAmount: 19900 }))
        .then({ type: 'ProductUpdated', data: { ...card, unitAmount: 19900, at } });
    });

    it('clears a detail sent empty', () => {
      given(listed)
        .when(update({ description: '' }))
        .then({ type: 'ProductUpdated', data: { ...card, description: '', at } });
    });

    it('records nothing when the product would stay as it is', () => {
      given(listed)
        .when(update({ name: card.name, currency: card.currency }))
        .thenNothing();
    });

    it('refuses a price Stripe would not take in the currency it leaves', () => {
      given({ type: 'ProductListed', data: { ...card, unitAmount: 1005, at } })
        .when(update({ currency: 'kwd', unitAmount: 1005 }))
        .thenRefused('amount_not_taken');
    });

    it('refuses a new currency without its price, and takes the same currency without one', () => {
      given(listed)
        .when(update({ currency: 'jpy' }))
        .thenRefused('price_needed');
      given(listed)
        .when(update({ currency: card.currency }))
        .then();
    });

    it('refuses a delisted product', () => {
      given(listed, { type: 'ProductDelisted', data: { sku: card.sku, at } })
        .when(update({ unitAmount: 19900 }))
        .thenRefused('delisted');
    });
  });

  describe('the catalog file at start (SyncCatalogEntry)', () => {
    const fromFile = { ...card, at, source: 'catalog-file' as const };
    const sync = (product = card) => ({ type: 'SyncCatalogEntry', product, stock: 3, at }) as const;
    const ownerPrice: ProductEvent = {
      type: 'ProductUpdated',
      data: { ...card, unitAmount: 25000, at },
    };
    const delisted: ProductEvent = { type: 'ProductDelisted', data: { sku: card.sku, at } };

    it('lists a new product with its initial stock, as the file gave it', () => {
      given().when(sync()).then({ type: 'ProductListed', data: fromFile }, stocked(3));
    });

    it("keeps the site owner's price while the file's entry is unchanged", () => {
      given({ type: 'ProductListed', data: fromFile }, ownerPrice).when(sync()).thenNothing();
    });

    it('keeps a product the site owner delisted delisted, recording what the file says', () => {
      given({ type: 'ProductListed', data: fromFile }, delisted).when(sync()).thenNothing();
      const renamed = { ...fromFile, name: 'Pelé 1958' };
      given({ type: 'ProductListed', data: fromFile }, delisted)
        .when(sync({ ...card, name: 'Pelé 1958' }))
        .then({ type: 'ProductUpdated', data: renamed });
      // Listed again through the admin API at its own price: the file, unchanged, leaves it be.
      const relisted: ProductEvent = {
        type: 'ProductListed',
        data: { ...card, name: 'Pelé 1958', unitAmount: 25000, at },
      };
      given(
        { type: 'ProductListed', data: fromFile },
        delisted,
        { type: 'ProductUpdated', data: renamed },
        relisted,
      )
        .when(sync({ ...card, name: 'Pelé 1958' }))
        .thenNothing();
      const history: ProductEvent[] = [
        { type: 'ProductListed', data: fromFile },
        delisted,
        { type: 'ProductUpdated', data: renamed },
      ];
      const state = history.reduce(productDecider.evolve, productDecider.initialState());
      expect(state).toMatchObject({ listed: false, details: { name: 'Pelé 1958' } });
    });

    it('applies a change to the file once, then leaves later edits alone', () => {
      const changed = { ...card, unitAmount: 19900 };
      const update: ProductEvent = {
        type: 'ProductUpdated',
        data: { ...fromFile, unitAmount: 19900 },
      };
      given({ type: 'ProductListed', data: fromFile }, ownerPrice).when(sync(changed)).then(update);
      given({ type: 'ProductListed', data: fromFile }, update, ownerPrice)
        .when(sync(changed))
        .thenNothing();
    });

    it('applies the entry the file newly gives for a product listed through the admin API', () => {
      given(listed, ownerPrice).when(sync()).then({ type: 'ProductUpdated', data: fromFile });
    });
  });

  it('reserves what is available', () => {
    given(listed, stocked(3)).when(reserve(orderA, 2)).then(reserved(orderA, 2));
  });

  it('refuses more than is left, saying how many are left', () => {
    given(listed, stocked(3), reserved(orderA, 2))
      .when(reserve(orderB, 2))
      .thenRefused('insufficient_stock');
  });

  it('calls a product with nothing left sold out', () => {
    given(listed, stocked(3), reserved(orderA, 3)).when(reserve(orderB, 1)).thenRefused('sold_out');
  });

  it('reserves once per order, whatever the retries', () => {
    given(listed, stocked(3), reserved(orderA, 1)).when(reserve(orderA, 1)).thenNothing();
  });

  it('makes released units available again', () => {
    given(listed, stocked(1), reserved(orderA, 1), {
      type: 'StockReleased',
      data: { sku: card.sku, orderId: orderA, quantity: 1, reason: 'expired', at },
    })
      .when(reserve(orderB, 1))
      .then(reserved(orderB, 1));
  });

  it('releases exactly what the order holds, and nothing twice', () => {
    given(listed, stocked(3), reserved(orderA, 2))
      .when(release(orderA))
      .then({
        type: 'StockReleased',
        data: { sku: card.sku, orderId: orderA, quantity: 2, reason: 'expired', at },
      });
    given(listed, stocked(3)).when(release(orderA)).thenNothing();
  });

  it('refuses to reserve a delisted product', () => {
    given(listed, stocked(3), { type: 'ProductDelisted', data: { sku: card.sku, at } })
      .when(reserve(orderA, 1))
      .thenRefused('delisted');
  });

  it('refuses to reserve an unknown product', () => {
    given().when(reserve(orderA, 1)).thenRefused('unknown_sku');
  });

  it('refuses a stock adjustment below the units held for orders', () => {
    given(listed, stocked(3), reserved(orderA, 2))
      .when({ type: 'AdjustStock', sku: card.sku, delta: -2, reason: 'damaged', at })
      .thenRefused('stock_below_reserved');
  });
});

describe('a late payment: units taken back after the hold was released', () => {
  const expired = (orderId: string, quantity: number): ProductEvent => ({
    type: 'StockReleased',
    data: { sku: card.sku, orderId, quantity, reason: 'swept', at },
  });
  const retake = (orderId: string, quantity: number) =>
    ({ type: 'RetakeStock', sku: card.sku, orderId, quantity, at }) as const;

  it('takes the units back while they are still available', () => {
    given(listed, stocked(3), reserved(orderA, 2), expired(orderA, 2))
      .when(retake(orderA, 2))
      .then(retaken(orderA, 2));
  });

  it('records the units sold to another order meanwhile as a shortfall, never overselling', () => {
    given(listed, stocked(3), reserved(orderA, 2), expired(orderA, 2), reserved(orderB, 3))
      .when(retake(orderA, 2))
      .then(shortfall(orderA, 2));
  });

  it('takes what is left and records the rest as a shortfall', () => {
    given(listed, stocked(3), reserved(orderA, 2), expired(orderA, 2), reserved(orderB, 2))
      .when(retake(orderA, 2))
      .then(retaken(orderA, 1), shortfall(orderA, 1));
  });

  it('takes the units back once, whatever the retries', () => {
    given(listed, stocked(3), reserved(orderA, 2), expired(orderA, 2), retaken(orderA, 2))
      .when(retake(orderA, 2))
      .thenNothing();
  });

  it('decides a shortfall once: a retry takes nothing, even from units restocked since', () => {
    given(listed, stocked(2), reserved(orderA, 2), expired(orderA, 2), reserved(orderB, 2))
      .when(retake(orderA, 2))
      .then(shortfall(orderA, 2));
    given(
      listed,
      stocked(2),
      reserved(orderA, 2),
      expired(orderA, 2),
      reserved(orderB, 2),
      shortfall(orderA, 2),
      stocked(5),
    )
      .when(retake(orderA, 2))
      .thenNothing();
  });

  const kept = (orderId: string, quantity: number): ProductEvent => ({
    type: 'HoldKept',
    data: { sku: card.sku, orderId, quantity, at },
  });

  it('keeps the units of an order that still holds them (its release not here yet), once', () => {
    given(listed, stocked(3), reserved(orderA, 2)).when(retake(orderA, 2)).then(kept(orderA, 2));
    given(listed, stocked(3), reserved(orderA, 2), kept(orderA, 2))
      .when(retake(orderA, 2))
      .thenNothing();
  });

  it('gives nothing back for a release that comes after the units were kept', () => {
    given(listed, stocked(3), reserved(orderA, 2), kept(orderA, 2))
      .when(release(orderA))
      .thenNothing();
    // Not to an older late payment short of them either.
    given(
      listed,
      stocked(2),
      reserved(orderB, 2),
      expired(orderB, 2),
      reserved(orderA, 2),
      shortfall(orderB, 2),
      kept(orderA, 2),
    )
      .when(release(orderA))
      .thenNothing();
  });

  it('takes units back from a delisted product: they are on the shelf, and paid for', () => {
    given(listed, stocked(3), reserved(orderA, 2), expired(orderA, 2), {
      type: 'ProductDelisted',
      data: { sku: card.sku, at },
    })
      .when(retake(orderA, 2))
      .then(retaken(orderA, 2));
  });

  it('never gives units taken back for a late payment away again', () => {
    given(listed, stocked(3), reserved(orderA, 2), expired(orderA, 2), retaken(orderA, 2))
      .when(release(orderA))
      .thenNothing();
  });

  it('keeps units taken back out of what other shoppers can reserve', () => {
    given(listed, stocked(3), reserved(orderA, 2), expired(orderA, 2), retaken(orderA, 2))
      .when(reserve(orderB, 2))
      .thenRefused('insufficient_stock');
  });
});

describe('a restock fills the shortfalls of late payments first', () => {
  const restock = (delta: number) =>
    ({ type: 'AdjustStock', sku: card.sku, delta, reason: 'restock', at }) as const;
  const restocked = (delta: number): ProductEvent => ({
    type: 'StockAdjusted',
    data: { sku: card.sku, delta, reason: 'restock', at },
  });
  /** Order B bought the last 2 units; late-paid orders then found nothing left. */
  const soldOut: ProductEvent[] = [listed, stocked(2), reserved(orderB, 2)];

  it('fills an order’s shortfall in full when enough units come in', () => {
    given(...soldOut, shortfall(orderA, 2))
      .when(restock(3))
      .then(restocked(3), retaken(orderA, 2));
  });

  it('fills several orders in the order their shortfalls were recorded', () => {
    given(...soldOut, shortfall(orderC, 1), shortfall(orderA, 2))
      .when(restock(3))
      .then(restocked(3), retaken(orderC, 1), retaken(orderA, 2));
  });

  it('fills part of a shortfall with what came in, and the rest at the next restock', () => {
    given(...soldOut, shortfall(orderA, 3))
      .when(restock(1))
      .then(restocked(1), retaken(orderA, 1));
    given(...soldOut, shortfall(orderA, 3), restocked(1), retaken(orderA, 1))
      .when(restock(5))
      .then(restocked(5), retaken(orderA, 2));
  });

  it('changes nothing else when no shortfall waits', () => {
    given(...soldOut)
      .when(restock(3))
      .then(restocked(3));
  });

  it('never fills a shortfall twice', () => {
    given(...soldOut, shortfall(orderA, 2), shortfall(orderC, 1), restocked(2), retaken(orderA, 2))
      .when(restock(4))
      .then(restocked(4), retaken(orderC, 1));
  });

  it('leaves shoppers only what the shortfalls did not take', () => {
    given(...soldOut, shortfall(orderA, 2), restocked(3), retaken(orderA, 2))
      .when(reserve(orderC, 2))
      .thenRefused('insufficient_stock');
  });

  describe('so do units a release gives back', () => {
    const cancel = (fillShortfalls: boolean) => release(orderB, 'cancelled', fillShortfalls);
    const released = (quantity: number): ProductEvent => ({
      type: 'StockReleased',
      data: { sku: card.sku, orderId: orderB, reason: 'cancelled', quantity, at },
    });

    it('fill a shortfall in the release, before a new shopper can take them', () => {
      given(...soldOut, shortfall(orderA, 1))
        .when(cancel(true))
        .then(released(2), retaken(orderA, 1));
      given(...soldOut, shortfall(orderA, 3))
        .when(cancel(true))
        .then(released(2), retaken(orderA, 2));
    });

    it('stay on the shelf when the releasing order may be paid late (its own to take back)', () => {
      given(...soldOut, shortfall(orderA, 1))
        .when(cancel(false))
        .then(released(2));
    });

    it('change nothing else when no shortfall waits', () => {
      given(...soldOut)
        .when(cancel(true))
        .then(released(2));
    });
  });
});

describe('an adjustment made with a request id (safe to retry)', () => {
  const requestId = '44444444-4444-4444-8444-444444444444';
  const adjust = (delta: number, id = requestId) =>
    ({ type: 'AdjustStock', sku: card.sku, delta, reason: 'delivery', requestId: id, at }) as const;
  const adjusted = (delta: number, id = requestId): ProductEvent => ({
    type: 'StockAdjusted',
    data: { sku: card.sku, delta, reason: 'delivery', requestId: id, at },
  });

  it('is made once: a retry with the same id changes nothing', () => {
    given(listed, stocked(3)).when(adjust(5)).then(adjusted(5));
    given(listed, stocked(3), adjusted(5)).when(adjust(5)).thenNothing();
  });

  it('refuses the same id for another adjustment, rather than answer it was made', () => {
    given(listed, stocked(3), adjusted(5)).when(adjust(-3)).thenRefused('request_reused');
  });

  it('does not stand in for another adjustment with another id', () => {
    const other = '55555555-5555-4555-8555-555555555555';
    given(listed, stocked(3), adjusted(5)).when(adjust(5, other)).then(adjusted(5, other));
  });
});

describe('a shortfall the site owner settles another way (a refund)', () => {
  const settle = (orderId: string) =>
    ({ type: 'SettleShortfall', sku: card.sku, orderId, reason: 'refunded', at }) as const;
  const settled = (orderId: string, units: number): ProductEvent => ({
    type: 'ShortfallSettled',
    data: { sku: card.sku, orderId, units, reason: 'refunded', at },
  });
  const soldOut: ProductEvent[] = [listed, stocked(2), reserved(orderB, 2)];
  const restocked = (delta: number): ProductEvent => ({
    type: 'StockAdjusted',
    data: { sku: card.sku, delta, reason: 'restock', at },
  });

  it('settles the units still missing, after a partial fill too', () => {
    given(...soldOut, shortfall(orderA, 3))
      .when(settle(orderA))
      .then(settled(orderA, 3));
    given(...soldOut, shortfall(orderA, 3), restocked(1), retaken(orderA, 1))
      .when(settle(orderA))
      .then(settled(orderA, 2));
  });

  it('leaves a settled shortfall out of every later restock', () => {
    given(...soldOut, shortfall(orderA, 2), shortfall(orderC, 1), settled(orderA, 2))
      .when({ type: 'AdjustStock', sku: card.sku, delta: 3, reason: 'restock', at })
      .then(restocked(3), retaken(orderC, 1));
  });

  it('refuses an order missing nothing: never short, filled, or settled already', () => {
    given(...soldOut)
      .when(settle(orderA))
      .thenRefused('no_shortfall');
    given(...soldOut, shortfall(orderA, 1), restocked(1), retaken(orderA, 1))
      .when(settle(orderA))
      .thenRefused('no_shortfall');
    given(...soldOut, shortfall(orderA, 1), settled(orderA, 1))
      .when(settle(orderA))
      .thenRefused('no_shortfall');
  });
});

describe('decideInOrder (a batch of commands on one product)', () => {
  const fold = (...events: ProductEvent[]) =>
    events.reduce(
      (state, event) => productDecider.evolve(state, event),
      productDecider.initialState(),
    );

  it('decides each command on the product as the ones before it leave it', () => {
    const outcomes = decideInOrder(fold(listed, stocked(3)), [
      reserve(orderA, 2),
      reserve(orderB, 2),
      reserve(orderC, 1),
      reserve(orderA, 2),
      release(orderC),
    ]);
    expect(outcomes.map((o) => (o.ok ? o.events.map((e) => e.type) : 'refused'))).toEqual([
      ['StockReserved'],
      'refused',
      ['StockReserved'],
      [],
      ['StockReleased'],
    ]);
    const refused = outcomes[1] as { ok: false; error: { code: string } };
    expect(refused.error.code).toBe('insufficient_stock');
  });

  it('leaves the state it was given unchanged', () => {
    const state = fold(listed, stocked(3), reserved(orderA, 1));
    decideInOrder(state, [
      reserve(orderB, 2),
      release(orderA),
      { type: 'RetakeStock', sku: card.sku, orderId: orderC, quantity: 5, at },
      { type: 'AdjustStock', sku: card.sku, delta: 4, reason: 'restock', at },
    ]);
    expect([
      state.held,
      state.holds.size,
      state.holds.get(orderA),
      state.holds.has(orderB),
      state.lateSales.has(orderC),
      state.shortfalls.size,
    ]).toEqual([1, 1, 1, false, false, 0]);
  });
});
