import { describe, expect, it } from 'vitest';
import { HoldBook } from '../../server/catalog/hold-book';
import type { ProductState } from '../../server/catalog/product';
import { priceCart } from '../../server/checkout/pricing';

const product = (
  sku: string,
  unitAmount: number,
  onHand: number,
  extra: Partial<ProductState> = {},
): [string, ProductState] => [
  sku,
  {
    details: {
      sku,
      name: sku,
      description: '',
      image: `/images/${sku}.svg`,
      unitAmount,
      currency: 'eur',
    },
    listed: true,
    catalogFile: null,
    onHand,
    holds: new HoldBook(),
    held: 0,
    lateSales: new Set(),
    shortfalls: new Map(),
    adjustments: new Map(),
    ...extra,
  },
];

const catalog = new Map([
  product('A', 1000, 5),
  product('B', 250, 2),
  product('GONE', 100, 0),
  product('OLD', 100, 5, { listed: false }),
  product('USD', 100, 5),
]);
catalog.get('USD')!.details!.currency = 'usd';

describe('pricing a cart', () => {
  it('prices every line from the catalog and totals it', () => {
    expect(
      priceCart(
        [
          { sku: 'A', quantity: 2 },
          { sku: 'B', quantity: 1 },
        ],
        catalog,
      ),
    ).toEqual({
      ok: true,
      currency: 'eur',
      total: 2250,
      lines: [
        {
          sku: 'A',
          name: 'A',
          image: '/images/A.svg',
          unitAmount: 1000,
          quantity: 2,
          amount: 2000,
        },
        { sku: 'B', name: 'B', image: '/images/B.svg', unitAmount: 250, quantity: 1, amount: 250 },
      ],
    });
  });

  it('names every problem at once, line by line', () => {
    const priced = priceCart(
      [
        { sku: 'NOPE', quantity: 1 },
        { sku: 'GONE', quantity: 1 },
        { sku: 'B', quantity: 3 },
        { sku: 'OLD', quantity: 1 },
        { sku: 'A', quantity: 1 },
        { sku: 'USD', quantity: 1 },
      ],
      catalog,
    );
    expect(priced).toEqual({
      ok: false,
      problems: [
        { sku: 'NOPE', code: 'unknown_sku' },
        { sku: 'GONE', code: 'sold_out' },
        { sku: 'B', code: 'insufficient_stock', available: 2, requested: 3 },
        { sku: 'OLD', code: 'delisted' },
        { sku: 'USD', code: 'currency_mismatch', currency: 'usd' },
      ],
    });
  });

  it("takes the cart's currency from its first priced line, even one short of stock", () => {
    // The widget reckons it so: the odd line out is the dollar one, not the euro one after it.
    const priced = priceCart(
      [
        { sku: 'B', quantity: 3 },
        { sku: 'USD', quantity: 1 },
        { sku: 'A', quantity: 1 },
      ],
      catalog,
    );
    expect(priced).toEqual({
      ok: false,
      problems: [
        { sku: 'B', code: 'insufficient_stock', available: 2, requested: 3 },
        { sku: 'USD', code: 'currency_mismatch', currency: 'usd' },
      ],
    });
  });

  it('counts units held for other orders as gone', () => {
    const held = new Map([product('B', 250, 2, { held: 2, holds: new HoldBook().set('o', 2) })]);
    expect(priceCart([{ sku: 'B', quantity: 1 }], held)).toEqual({
      ok: false,
      problems: [{ sku: 'B', code: 'sold_out' }],
    });
  });

  it('refuses a total past the most one Stripe payment can take, saying how many fit', () => {
    const dear = new Map([product('GOLD', 40_000_000, 10), product('SILVER', 30_000_000, 10)]);
    // 40M + 30M fit (70M <= 99,999,999); a second SILVER would make 100M.
    expect(
      priceCart(
        [
          { sku: 'GOLD', quantity: 1 },
          { sku: 'SILVER', quantity: 2 },
        ],
        dear,
      ),
    ).toEqual({
      ok: false,
      problems: [{ sku: 'SILVER', code: 'amount_too_large', maxQuantity: 1, requested: 2 }],
    });
    expect(priceCart([{ sku: 'GOLD', quantity: 3 }], dear)).toEqual({
      ok: false,
      problems: [{ sku: 'GOLD', code: 'amount_too_large', maxQuantity: 2, requested: 3 }],
    });
    const exact = new Map([product('MAX', 33_333_333, 5)]);
    expect(priceCart([{ sku: 'MAX', quantity: 3 }], exact)).toMatchObject({
      ok: true,
      total: 99_999_999,
    });
  });

  it('refuses a total below the smallest payment Stripe takes in its currency, once the lines are fine', () => {
    const cheap = new Map([product('PIN', 20, 10), product('GONE', 20, 0)]);
    expect(priceCart([{ sku: 'PIN', quantity: 2 }], cheap)).toEqual({
      ok: false,
      problems: [{ code: 'amount_too_small', minimum: 50, currency: 'eur' }],
    });
    expect(priceCart([{ sku: 'PIN', quantity: 3 }], cheap)).toMatchObject({ ok: true, total: 60 });
    expect(
      priceCart(
        [
          { sku: 'PIN', quantity: 1 },
          { sku: 'GONE', quantity: 1 },
        ],
        cheap,
      ),
    ).toEqual({ ok: false, problems: [{ sku: 'GONE', code: 'sold_out' }] });
  });
});
