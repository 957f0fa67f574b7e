import { describe, expect, it } from 'vitest';
import { memoryReadModels, Projector } from '../../projections/apply';
import {
  cartValidated,
  checkoutExpired,
  checkoutStarted,
  type DomainEvent,
  disputeClosed,
  ORDER,
  OTHER_ORDER,
  paymentCompleted,
  paymentDisputed,
  paymentMismatched,
  paymentPending,
  paymentRefunded,
  refundFailed,
} from './builders';

function salesAfter(...events: DomainEvent[]) {
  const models = memoryReadModels();
  const projector = new Projector(models);
  for (const event of events) projector.apply(event);
  return {
    daily: [...(models.salesDaily as Map<string, unknown>).values()],
    products: [...(models.productSales as Map<string, unknown>).values()],
  };
}

const cart = cartValidated([
  { sku: 'mug', quantity: 2 },
  { sku: 'tee', quantity: 1, unitAmount: 2500 },
]);

describe('sales projection', () => {
  it('counts nothing until an order is paid', () => {
    expect(
      salesAfter(cart, checkoutStarted(5500), paymentPending(), paymentMismatched(5500)),
    ).toEqual({
      daily: [],
      products: [],
    });
  });

  it('books revenue, one order and units on the UTC day of the payment, per product', () => {
    const sales = salesAfter(
      cart,
      checkoutStarted(5500),
      paymentCompleted(5500, ORDER, '2T00:30:00'),
    );
    expect(sales.daily).toEqual([
      {
        day: '2024-03-02',
        currency: 'eur',
        revenue: 5500,
        orders: 1,
        units: 3,
        refunded: 0,
        lost_to_disputes: 0,
      },
    ]);
    expect(sales.products).toEqual([
      {
        day: '2024-03-02',
        sku: 'mug',
        currency: 'eur',
        name: 'Product mug',
        revenue: 3000,
        units: 2,
        orders: 1,
      },
      {
        day: '2024-03-02',
        sku: 'tee',
        currency: 'eur',
        name: 'Product tee',
        revenue: 2500,
        units: 1,
        orders: 1,
      },
    ]);
  });

  it('counts a late payment after expiry once', () => {
    const sales = salesAfter(
      cart,
      checkoutStarted(5500),
      checkoutExpired(),
      paymentCompleted(5500, ORDER, '2T11:00:00', true),
    );
    expect(sales.daily).toEqual([
      {
        day: '2024-03-02',
        currency: 'eur',
        revenue: 5500,
        orders: 1,
        units: 3,
        refunded: 0,
        lost_to_disputes: 0,
      },
    ]);
  });

  it('keeps a sale when an expiry notice arrives after the payment', () => {
    const sales = salesAfter(
      cart,
      checkoutStarted(5500),
      paymentCompleted(5500),
      checkoutExpired(),
    );
    expect(sales.daily).toEqual([
      {
        day: '2024-03-01',
        currency: 'eur',
        revenue: 5500,
        orders: 1,
        units: 3,
        refunded: 0,
        lost_to_disputes: 0,
      },
    ]);
  });

  it('adds up orders of the same day and currency', () => {
    const other = cartValidated([{ sku: 'mug', quantity: 1 }], OTHER_ORDER);
    const sales = salesAfter(
      cart,
      other,
      checkoutStarted(5500),
      checkoutStarted(1500, OTHER_ORDER),
      paymentCompleted(1500, OTHER_ORDER),
      paymentCompleted(5500),
    );
    expect(sales.daily).toEqual([
      {
        day: '2024-03-01',
        currency: 'eur',
        revenue: 7000,
        orders: 2,
        units: 4,
        refunded: 0,
        lost_to_disputes: 0,
      },
    ]);
    expect(sales.products).toContainEqual({
      day: '2024-03-01',
      sku: 'mug',
      currency: 'eur',
      name: 'Product mug',
      revenue: 4500,
      units: 3,
      orders: 2,
    });
  });

  it('counts refunds on the day each was made, and keeps the sale on its own day', () => {
    const sales = salesAfter(
      cart,
      checkoutStarted(5500),
      paymentCompleted(5500, ORDER, '1T10:06:00'),
      paymentRefunded(2000, 2000, ORDER, '3T09:00:00'),
      paymentRefunded(3500, 5500, ORDER, '3T18:00:00'),
    );
    expect(sales.daily).toEqual([
      {
        day: '2024-03-01',
        currency: 'eur',
        revenue: 5500,
        orders: 1,
        units: 3,
        refunded: 0,
        lost_to_disputes: 0,
      },
      {
        day: '2024-03-03',
        currency: 'eur',
        revenue: 0,
        orders: 0,
        units: 0,
        refunded: 5500,
        lost_to_disputes: 0,
      },
    ]);
    expect(sales.products.map((row) => (row as { revenue: number }).revenue)).toEqual([3000, 2500]);
  });

  it('takes a refund that failed back on the day it failed, leaving its own day as it was', () => {
    const sales = salesAfter(
      cart,
      checkoutStarted(5500),
      paymentCompleted(5500, ORDER, '1T10:06:00'),
      paymentRefunded(2000, 2000, ORDER, '3T09:00:00'),
      refundFailed(2000, 0, 're_2000', ORDER, '5T09:00:00'),
    );
    const day = { revenue: 0, orders: 0, units: 0, lost_to_disputes: 0 };
    expect(sales.daily).toEqual([
      {
        ...day,
        day: '2024-03-01',
        currency: 'eur',
        revenue: 5500,
        orders: 1,
        units: 3,
        refunded: 0,
      },
      { ...day, day: '2024-03-03', currency: 'eur', refunded: 2000 },
      { ...day, day: '2024-03-05', currency: 'eur', refunded: -2000 },
    ]);
  });

  it('counts a dispute lost on the day it closed, and gives it back on the day an appeal won it', () => {
    const sales = salesAfter(
      cart,
      checkoutStarted(5500),
      paymentCompleted(5500, ORDER, '1T10:06:00'),
      paymentDisputed(5500, 'dp_1', ORDER, '2T09:00:00'),
      disputeClosed('lost', 5500, 'dp_1', ORDER, '4T09:00:00'),
      disputeClosed('won', 0, 'dp_1', ORDER, '8T09:00:00', 2),
    );
    const day = { revenue: 0, orders: 0, units: 0, refunded: 0 };
    expect(sales.daily).toEqual([
      {
        ...day,
        day: '2024-03-01',
        currency: 'eur',
        revenue: 5500,
        orders: 1,
        units: 3,
        lost_to_disputes: 0,
      },
      { ...day, day: '2024-03-04', currency: 'eur', lost_to_disputes: 5500 },
      { ...day, day: '2024-03-08', currency: 'eur', lost_to_disputes: -5500 },
    ]);
  });

  it('counts no refund of a payment that is not the sale (a mismatched one)', () => {
    const other = {
      ...paymentRefunded(100, 100),
      data: { ...paymentRefunded(100, 100).data, paymentIntentId: 'pi_mismatched' },
    };
    const sales = salesAfter(cart, checkoutStarted(5500), paymentCompleted(5500), other);
    expect(sales.daily).toEqual([
      {
        day: '2024-03-01',
        currency: 'eur',
        revenue: 5500,
        orders: 1,
        units: 3,
        refunded: 0,
        lost_to_disputes: 0,
      },
    ]);
  });
});
