import { describe, expect, it } from 'vitest';
import { evolveOrder, type OrderView } from '../../projections/order';
import {
  adjusted,
  cartValidated,
  checkoutExpired,
  checkoutFailed,
  checkoutStarted,
  type DomainEvent,
  ORDER,
  paymentCompleted,
  paymentFailed,
  paymentMismatched,
  paymentPending,
  reserved,
  retaken,
  shortfall,
  shortfallSettled,
} from './builders';

const given = (...events: DomainEvent[]): OrderView | null =>
  events.reduce<OrderView | null>(evolveOrder, null);

const cart = cartValidated([
  { sku: 'mug', quantity: 2 },
  { sku: 'tee', quantity: 1, unitAmount: 2500 },
]);

describe('order projection', () => {
  it('opens the order at CartValidated with server-priced lines, total and email', () => {
    const view = given(cart);
    expect(view).toMatchObject({
      orderId: ORDER,
      status: 'validated',
      currency: 'eur',
      total: 5500,
      email: 'ada@example.com',
      createdAt: '2024-03-01T10:00:00Z',
      sessionId: null,
      flags: { mismatch: false, late: false },
      shortfall: [],
    });
    expect(view?.lines.map((line) => [line.sku, line.quantity, line.amount])).toEqual([
      ['mug', 2, 3000],
      ['tee', 1, 2500],
    ]);
  });

  it('ignores order events before the order exists and product events altogether', () => {
    expect(given(paymentCompleted(5500))).toBeNull();
    expect(given(cart, adjusted('mug', 5), reserved('mug', 2))).toEqual(given(cart));
  });

  it('records the Stripe session and checkout url when the checkout starts', () => {
    expect(given(cart, checkoutStarted(5500))).toMatchObject({
      status: 'checkout_started',
      sessionId: 'cs_test_0001',
      checkoutUrl: 'https://checkout.stripe.com/c/pay/cs_test_0001',
    });
  });

  it('goes pending then paid, with the payment intent and a timeline of every step', () => {
    const view = given(cart, checkoutStarted(5500), paymentPending(), paymentCompleted(5500));
    expect(view).toMatchObject({
      status: 'paid',
      paymentIntentId: 'pi_123',
      paidAt: '2024-03-01T10:06:00Z',
      amountPaid: 5500,
      updatedAt: '2024-03-01T10:06:00Z',
    });
    expect(view?.timeline).toEqual([
      { type: 'CartValidated', at: '2024-03-01T10:00:00Z' },
      { type: 'CheckoutStarted', at: '2024-03-01T10:00:01Z' },
      { type: 'PaymentPending', at: '2024-03-01T10:05:00Z' },
      { type: 'PaymentCompleted', at: '2024-03-01T10:06:00Z' },
    ]);
  });

  it('marks a payment after expiry as paid and late', () => {
    const view = given(
      cart,
      checkoutStarted(5500),
      checkoutExpired(),
      paymentCompleted(5500, ORDER, '2T10:00:09', true),
    );
    expect(view).toMatchObject({ status: 'paid', flags: { late: true, mismatch: false } });
  });

  it('shows the units of a late payment that were no longer in stock, per sku', () => {
    const view = given(
      cart,
      checkoutStarted(5500),
      checkoutExpired(),
      paymentCompleted(5500, ORDER, '2T10:00:09', true),
      retaken('tee', 1),
      shortfall('mug', 2, ORDER, '2T10:00:11'),
    );
    expect(view).toMatchObject({
      status: 'paid',
      flags: { late: true },
      shortfall: [{ sku: 'mug', missing: 2 }],
      updatedAt: '2024-03-02T10:00:11Z',
    });
    expect(view?.timeline.at(-1)).toEqual({ type: 'StockShortfall', at: '2024-03-02T10:00:11Z' });
  });

  describe('a restock filling the shortfall', () => {
    const short = [
      cart,
      checkoutStarted(5500),
      checkoutExpired(),
      paymentCompleted(5500, ORDER, '2T10:00:09', true),
      shortfall('tee', 1, ORDER, '2T10:00:10'),
      shortfall('mug', 2, ORDER, '2T10:00:11'),
    ];

    it('shows fewer units missing after a partial fill', () => {
      const view = given(...short, retaken('mug', 1, ORDER, '2T11:00:00'));
      expect(view?.shortfall).toEqual([
        { sku: 'tee', missing: 1 },
        { sku: 'mug', missing: 1 },
      ]);
    });

    it('no longer shows a sku filled in full, and says so in the timeline', () => {
      const view = given(...short, retaken('mug', 2, ORDER, '2T11:00:00'));
      expect(view?.shortfall).toEqual([{ sku: 'tee', missing: 1 }]);
      expect(view?.timeline.at(-1)).toEqual({ type: 'StockRetaken', at: '2024-03-02T11:00:00Z' });
      expect(view?.updatedAt).toBe('2024-03-02T11:00:00Z');
    });

    it('shows a sku the site owner settled as missing nothing, and says so in the timeline', () => {
      const view = given(...short, retaken('mug', 1), shortfallSettled('mug', 1));
      expect(view?.shortfall).toEqual([
        { sku: 'tee', missing: 1 },
        { sku: 'mug', missing: 0, settled: 1 },
      ]);
      expect(view?.timeline.at(-1)).toEqual({
        type: 'ShortfallSettled',
        at: '2024-03-02T12:00:00Z',
      });
      // A later fill of another sku keeps the settled one.
      const filled = evolveOrder(view, retaken('tee', 1, ORDER, '2T13:00:00'));
      expect(filled?.shortfall).toEqual([{ sku: 'mug', missing: 0, settled: 1 }]);
    });

    it('ignores a settlement for a sku it shows no units missing for', () => {
      const before = given(...short, retaken('mug', 2));
      expect(evolveOrder(before, shortfallSettled('mug', 2))).toBe(before);
    });
  });

  it('keeps a paid order paid when an expiry or failure notice follows', () => {
    const paid = given(cart, checkoutStarted(5500), paymentCompleted(5500));
    expect(evolveOrder(paid, checkoutExpired())?.status).toBe('paid');
    expect(evolveOrder(paid, paymentFailed())?.status).toBe('paid');
  });

  it('flags a mismatched payment without marking the order paid', () => {
    const view = given(cart, checkoutStarted(5500), paymentMismatched(5500));
    expect(view).toMatchObject({ status: 'checkout_started', flags: { mismatch: true } });
  });

  it('ends in failed, expired or checkout_failed', () => {
    expect(given(cart, checkoutStarted(5500), paymentPending(), paymentFailed())?.status).toBe(
      'failed',
    );
    expect(given(cart, checkoutStarted(5500), checkoutExpired())?.status).toBe('expired');
    expect(given(cart, checkoutFailed())?.status).toBe('checkout_failed');
  });

  it('returns a new view and leaves the previous one untouched', () => {
    const before = given(cart);
    const frozen = structuredClone(before);
    evolveOrder(before, checkoutStarted(5500));
    expect(before).toEqual(frozen);
  });
});
