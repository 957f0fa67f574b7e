import { describe, expect, it } from 'vitest';
import type { OrderView } from '../../widget/api';
import { isNewer } from '../../widget/state/order-status';

const view = (status: OrderView['status'], events: string[]): OrderView =>
  ({
    status,
    timeline: events.map((type) => ({ type, at: '2026-11-26T10:00:00.000Z' })),
  }) as OrderView;

const started = view('checkout_started', ['CartValidated', 'CheckoutStarted']);
const paid = view('paid', ['CartValidated', 'CheckoutStarted', 'PaymentCompleted']);

describe('the order view the widget shows', () => {
  it('takes the first view, and any view at least as recent', () => {
    expect(isNewer(null, started)).toBe(true);
    expect(isNewer(started, paid)).toBe(true);
    expect(isNewer(paid, paid)).toBe(true);
  });

  it('never goes back to a view read before the payment (a late watch snapshot)', () => {
    expect(isNewer(paid, started)).toBe(false);
  });
});
