import { describe, expect, it } from 'vitest';
import { memoryReadModels, Projector } from '../../projections/apply';
import type { ProductStock } from '../../projections/inventory';
import {
  adjusted,
  cartValidated,
  checkoutStarted,
  type DomainEvent,
  listed,
  OTHER_ORDER,
  paymentCompleted,
  released,
  reserved,
  retaken,
  shortfall,
} from './builders';

function stockAfter(
  ...events: DomainEvent[]
): Record<string, Omit<ProductStock, 'currency' | 'unitAmount'>> {
  const models = memoryReadModels();
  const projector = new Projector(models);
  for (const event of events) projector.apply(event);
  const result: Record<string, Omit<ProductStock, 'currency' | 'unitAmount'>> = {};
  for (const [sku, { currency: _c, unitAmount: _u, ...rest }] of models.products as Map<
    string,
    ProductStock
  >) {
    result[sku] = rest;
  }
  return result;
}

const mug = (fields: Partial<ProductStock>) => ({
  sku: 'mug',
  name: 'Product mug',
  listed: true,
  onHand: 0,
  reserved: 0,
  sold: 0,
  available: 0,
  ...fields,
});

const order = [cartValidated([{ sku: 'mug', quantity: 2 }]), checkoutStarted(3000)];

/** `onHand` mugs; the order's 2 were held, swept back to stock, then paid for late. */
const paidAfterSweep = (onHand: number) => [
  listed('mug'),
  adjusted('mug', onHand),
  ...order,
  reserved('mug', 2),
  released('mug', 2, 'swept'),
  paymentCompleted(3000, undefined, '2T10:00:00', true),
];

describe('inventory projection', () => {
  it('counts on hand as the sum of stock adjustments', () => {
    expect(stockAfter(listed('mug'), adjusted('mug', 10), adjusted('mug', -3))).toEqual({
      mug: mug({ onHand: 7, available: 7 }),
    });
  });

  it('holds reserved units out of what is available', () => {
    expect(stockAfter(listed('mug'), adjusted('mug', 10), reserved('mug', 2))).toEqual({
      mug: mug({ onHand: 10, reserved: 2, available: 8 }),
    });
  });

  it('gives released units back', () => {
    const events = [
      listed('mug'),
      adjusted('mug', 10),
      reserved('mug', 2),
      released('mug', 2, 'expired'),
    ];
    expect(stockAfter(...events).mug).toEqual(mug({ onHand: 10, available: 10 }));
  });

  it('turns the reservation of a paid order into sold units', () => {
    const events = [
      listed('mug'),
      adjusted('mug', 10),
      ...order,
      reserved('mug', 2),
      paymentCompleted(3000),
    ];
    expect(stockAfter(...events).mug).toEqual(mug({ onHand: 10, sold: 2, available: 8 }));
  });

  it('counts a reservation seen after its payment in $all as sold', () => {
    const events = [
      listed('mug'),
      adjusted('mug', 10),
      ...order,
      paymentCompleted(3000),
      reserved('mug', 2),
    ];
    expect(stockAfter(...events).mug).toEqual(mug({ onHand: 10, sold: 2, available: 8 }));
  });

  it('takes back the sale when the paid order’s stock was swept before a late payment', () => {
    const events = paidAfterSweep(10);
    expect(stockAfter(...events).mug).toEqual(mug({ onHand: 10, available: 10 }));
  });

  it('counts a late payment’s units taken back from stock as sold', () => {
    const events = [...paidAfterSweep(10), retaken('mug', 2)];
    expect(stockAfter(...events).mug).toEqual(mug({ onHand: 10, sold: 2, available: 8 }));
  });

  it('takes nothing out of stock for a late payment’s shortfall', () => {
    const events = [...paidAfterSweep(10), shortfall('mug', 2)];
    expect(stockAfter(...events).mug).toEqual(mug({ onHand: 10, available: 10 }));
  });

  it('counts the units a restock fills a shortfall with as sold', () => {
    const events = [
      ...paidAfterSweep(1),
      retaken('mug', 1),
      shortfall('mug', 1),
      adjusted('mug', 3),
      retaken('mug', 1, undefined, '2T11:00:00'),
    ];
    expect(stockAfter(...events).mug).toEqual(mug({ onHand: 4, sold: 2, available: 2 }));
  });

  it('gives back sold units released after the payment', () => {
    const events = [
      listed('mug'),
      adjusted('mug', 10),
      ...order,
      reserved('mug', 2),
      paymentCompleted(3000),
      released('mug', 2, 'swept'),
    ];
    expect(stockAfter(...events).mug).toEqual(mug({ onHand: 10, available: 10 }));
  });

  it('keeps each order’s holds apart', () => {
    const events = [
      listed('mug'),
      adjusted('mug', 10),
      reserved('mug', 2),
      reserved('mug', 3, OTHER_ORDER),
      ...order,
      paymentCompleted(3000),
    ];
    expect(stockAfter(...events).mug).toEqual(
      mug({ onHand: 10, reserved: 3, sold: 2, available: 5 }),
    );
  });

  it('keeps a delisted product’s figures and marks it unlisted', () => {
    const events = [
      listed('mug'),
      adjusted('mug', 4),
      { type: 'ProductDelisted', data: { sku: 'mug', at: '2024-03-02T00:00:00Z' } } as const,
    ];
    expect(stockAfter(...events).mug).toEqual(mug({ listed: false, onHand: 4, available: 4 }));
  });
});
