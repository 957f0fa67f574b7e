import { describe, expect, it } from 'vitest';
import { memoryReadModels, Projector } from '../../projections/apply';
import type { ProductSales, SalesDaily } from '../../projections/sales';
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
    daily: [...(models.salesDaily as Map<string, SalesDaily>).values()],
    products: [...(models.productSales as Map<string, ProductSales>).values()],
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
        refunded: 0,
        lost_to_disputes: 0,
      },
      {
        day: '2024-03-02',
        sku: 'tee',
        currency: 'eur',
        name: 'Product tee',
        revenue: 2500,
        units: 1,
        orders: 1,
        refunded: 0,
        lost_to_disputes: 0,
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
      refunded: 0,
      lost_to_disputes: 0,
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
    expect(sales.products.map((row) => [row.day, row.revenue])).toEqual([
      ['2024-03-01', 3000],
      ['2024-03-01', 2500],
      ['2024-03-03', 0],
      ['2024-03-03', 0],
    ]);
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

describe('refunds and disputes lost per product', () => {
  /** 3 mugs and 1 tee at €15.00: €60.00, shared 3:1. */
  const threeToOne = cartValidated([
    { sku: 'mug', quantity: 3 },
    { sku: 'tee', quantity: 1 },
  ]);
  const paid = [threeToOne, checkoutStarted(6000), paymentCompleted(6000, ORDER, '1T10:06:00')];

  /** Per day, the product rows' refunded and lost_to_disputes, sku by sku. */
  function wentBack(...events: DomainEvent[]) {
    const sales = salesAfter(...events);
    // Whatever the split, the skus of a day add up to the day's own figures.
    for (const day of sales.daily) {
      const rows = sales.products.filter((row) => row.day === day.day);
      expect(
        rows.reduce((sum, row) => sum + row.refunded, 0),
        day.day,
      ).toBe(day.refunded);
      expect(
        rows.reduce((sum, row) => sum + row.lost_to_disputes, 0),
        day.day,
      ).toBe(day.lost_to_disputes);
    }
    return sales.products
      .filter((row) => row.refunded !== 0 || row.lost_to_disputes !== 0)
      .map((row) => `${row.day} ${row.sku} ${row.refunded} ${row.lost_to_disputes}`);
  }

  it('books a refund on its own day as a row with no sale, shared by line amount', () => {
    const sales = salesAfter(...paid, paymentRefunded(2000, 2000, ORDER, '3T09:00:00'));
    const none = { currency: 'eur', revenue: 0, units: 0, orders: 0, lost_to_disputes: 0 };
    expect(sales.products.filter((row) => row.day === '2024-03-03')).toEqual([
      { ...none, day: '2024-03-03', sku: 'mug', name: 'Product mug', refunded: 1500 },
      { ...none, day: '2024-03-03', sku: 'tee', name: 'Product tee', refunded: 500 },
    ]);
  });

  it('gives each sku its line amount, exactly, once a partial refund and the rest refund it all', () => {
    expect(
      wentBack(
        ...paid,
        // 1001 is 750.75 + 250.25: the unit left over goes to the larger remainder.
        paymentRefunded(1001, 1001, ORDER, '3T09:00:00'),
        paymentRefunded(4999, 6000, ORDER, '4T09:00:00'),
      ),
    ).toEqual([
      '2024-03-03 mug 751 0',
      '2024-03-03 tee 250 0',
      '2024-03-04 mug 3749 0',
      '2024-03-04 tee 1250 0',
    ]);
  });

  it('gives a refund of one minor unit to one sku: the larger share, or on a tie the first line', () => {
    expect(wentBack(...paid, paymentRefunded(1, 1, ORDER, '3T09:00:00'))).toEqual([
      '2024-03-03 mug 1 0',
    ]);
    const even = cartValidated([
      { sku: 'tee', quantity: 1 },
      { sku: 'mug', quantity: 1 },
    ]);
    expect(
      wentBack(
        even,
        checkoutStarted(3000),
        paymentCompleted(3000),
        paymentRefunded(1, 1, ORDER, '3T09:00:00'),
        paymentRefunded(1, 2, ORDER, '4T09:00:00'),
      ),
    ).toEqual(['2024-03-03 tee 1 0', '2024-03-04 mug 1 0']);
  });

  it('takes back exactly what a refund gave when it fails, on the day it failed', () => {
    expect(
      wentBack(
        ...paid,
        paymentRefunded(1001, 1001, ORDER, '3T09:00:00'),
        refundFailed(1001, 0, 're_1001', ORDER, '5T09:00:00'),
      ),
    ).toEqual([
      '2024-03-03 mug 751 0',
      '2024-03-03 tee 250 0',
      '2024-03-05 mug -751 0',
      '2024-03-05 tee -250 0',
    ]);
  });

  it('counts a dispute lost per sku on the day it closed, and gives it back on the day an appeal won it', () => {
    expect(
      wentBack(
        ...paid,
        paymentDisputed(6000, 'dp_1', ORDER, '2T09:00:00'),
        disputeClosed('lost', 6000, 'dp_1', ORDER, '4T09:00:00'),
        disputeClosed('won', 0, 'dp_1', ORDER, '8T09:00:00', 2),
      ),
    ).toEqual([
      '2024-03-04 mug 0 4500',
      '2024-03-04 tee 0 1500',
      '2024-03-08 mug 0 -4500',
      '2024-03-08 tee 0 -1500',
    ]);
  });

  it('shares a dispute above the charge in full, beside refunds shared on their own', () => {
    expect(
      wentBack(
        ...paid,
        paymentRefunded(1, 1, ORDER, '3T09:00:00'),
        paymentDisputed(7001, 'dp_1', ORDER, '3T10:00:00'),
        // 5250.75 + 1750.25
        disputeClosed('lost', 7001, 'dp_1', ORDER, '6T09:00:00'),
      ),
    ).toEqual(['2024-03-03 mug 1 0', '2024-03-06 mug 0 5251', '2024-03-06 tee 0 1750']);
  });

  it('gives the one sku of an order all of it', () => {
    const mugs = cartValidated([{ sku: 'mug', quantity: 2 }]);
    expect(
      wentBack(
        mugs,
        checkoutStarted(3000),
        paymentCompleted(3000),
        paymentRefunded(777, 777, ORDER, '3T09:00:00'),
        paymentDisputed(3000, 'dp_1', ORDER, '3T10:00:00'),
        disputeClosed('lost', 2223, 'dp_1', ORDER, '6T09:00:00'),
      ),
    ).toEqual(['2024-03-03 mug 777 0', '2024-03-06 mug 0 2223']);
  });

  it('shares by what each sku came to over all its lines', () => {
    const split = cartValidated([
      { sku: 'mug', quantity: 1 },
      { sku: 'tee', quantity: 1 },
      { sku: 'mug', quantity: 2 },
    ]);
    expect(
      wentBack(
        split,
        checkoutStarted(6000),
        paymentCompleted(6000),
        paymentRefunded(6000, 6000, ORDER, '3T09:00:00'),
      ),
    ).toEqual(['2024-03-03 mug 4500 0', '2024-03-03 tee 1500 0']);
  });

  it('stays exact where an amount times a line amount passes 2^53', () => {
    // 175,268,415 x 65,731,207 is no double: the two remainders tie, and the first line wins.
    // (A dispute for more than the charge: the bank's conversion, or charges it bundled.)
    const big = cartValidated([
      { sku: 'mug', quantity: 1, unitAmount: 65_731_207 },
      { sku: 'tee', quantity: 1, unitAmount: 4_376_159 },
    ]);
    expect(
      wentBack(
        big,
        checkoutStarted(70_107_366),
        paymentCompleted(70_107_366),
        paymentDisputed(175_268_415, 'dp_1', ORDER, '2T09:00:00'),
        disputeClosed('lost', 175_268_415, 'dp_1', ORDER, '5T09:00:00'),
      ),
    ).toEqual(['2024-03-05 mug 0 164328018', '2024-03-05 tee 0 10940397']);
  });

  it('leaves a day named by its sales when it books a refund of an older sale', () => {
    const renamed = cartValidated([{ sku: 'mug', quantity: 1 }], OTHER_ORDER, '3T08:00:00');
    renamed.data.lines[0]!.name = 'Mug, renamed';
    const sales = salesAfter(
      ...paid,
      renamed,
      checkoutStarted(1500, OTHER_ORDER, '3T08:00:01'),
      paymentCompleted(1500, OTHER_ORDER, '3T08:05:00'),
      paymentRefunded(6000, 6000, ORDER, '3T09:00:00'),
    );
    expect(sales.products.find((row) => row.day === '2024-03-03' && row.sku === 'mug')).toEqual({
      day: '2024-03-03',
      sku: 'mug',
      currency: 'eur',
      name: 'Mug, renamed',
      revenue: 1500,
      units: 1,
      orders: 1,
      refunded: 4500,
      lost_to_disputes: 0,
    });
  });
});
