import { describe, expect, it } from 'vitest';
import { memoryReadModels, Projector } from '../../projections/apply';
import { emptyFunnelCounts, type FunnelDay } from '../../projections/funnel';
import {
  cartValidated,
  checkoutExpired,
  checkoutFailed,
  checkoutStarted,
  type DomainEvent,
  ORDER,
  OTHER_ORDER,
  paymentCompleted,
  paymentFailed,
  paymentPending,
} from './builders';

function funnelAfter(...events: DomainEvent[]): FunnelDay[] {
  const models = memoryReadModels();
  const projector = new Projector(models);
  for (const event of events) projector.apply(event);
  return [...(models.funnel as Map<string, FunnelDay>).values()];
}

const day = (fields: Partial<FunnelDay>): FunnelDay => ({
  day: '2024-03-01',
  ...emptyFunnelCounts(),
  ...fields,
});
const cart = (orderId = ORDER) => cartValidated([{ sku: 'mug', quantity: 1 }], orderId);

describe('funnel projection', () => {
  it('counts a validated cart that never reached Stripe as abandoned', () => {
    expect(funnelAfter(cart())).toEqual([day({ cartsValidated: 1, abandoned: 1 })]);
  });

  it('still counts it abandoned once the sweep expires it, with no session', () => {
    const swept = checkoutExpired();
    swept.data = { ...swept.data, stripeEventId: null, sessionId: '' };
    expect(funnelAfter(cart(), swept)).toEqual([day({ cartsValidated: 1, abandoned: 1 })]);
  });

  it('counts a started checkout as open until it ends', () => {
    expect(funnelAfter(cart(), checkoutStarted(1500), paymentPending())).toEqual([
      day({ cartsValidated: 1, checkoutsStarted: 1, open: 1 }),
    ]);
  });

  it('moves the order to paid, expired, failed or checkout failed', () => {
    expect(funnelAfter(cart(), checkoutStarted(1500), paymentCompleted(1500))).toEqual([
      day({ cartsValidated: 1, checkoutsStarted: 1, paid: 1 }),
    ]);
    expect(funnelAfter(cart(), checkoutStarted(1500), checkoutExpired())).toEqual([
      day({ cartsValidated: 1, checkoutsStarted: 1, expired: 1 }),
    ]);
    expect(funnelAfter(cart(), checkoutStarted(1500), paymentPending(), paymentFailed())).toEqual([
      day({ cartsValidated: 1, checkoutsStarted: 1, failed: 1 }),
    ]);
    expect(funnelAfter(cart(), checkoutFailed())).toEqual([
      day({ cartsValidated: 1, checkoutFailed: 1 }),
    ]);
  });

  it('books a late payment on the day the cart was validated, no longer expired', () => {
    const events = [
      cart(),
      checkoutStarted(1500),
      checkoutExpired(),
      paymentCompleted(1500, ORDER, '3T09:00:00', true),
    ];
    expect(funnelAfter(...events)).toEqual([
      day({ cartsValidated: 1, checkoutsStarted: 1, paid: 1 }),
    ]);
  });

  it('keeps one row per cohort day', () => {
    const late = cartValidated([{ sku: 'mug', quantity: 1 }], OTHER_ORDER, '2T23:59:59');
    expect(funnelAfter(cart(), late)).toEqual([
      day({ cartsValidated: 1, abandoned: 1 }),
      day({ day: '2024-03-02', cartsValidated: 1, abandoned: 1 }),
    ]);
  });
});
