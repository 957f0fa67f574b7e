/** Small builders for domain events in projection tests: realistic payloads, explicit times. */
import type { DomainEvent, EventOf } from '../../server/domain/events';

export const ORDER = '00000000-0000-4000-8000-000000000001';
export const OTHER_ORDER = '00000000-0000-4000-8000-000000000002';
const CHECKOUT = '00000000-0000-4000-8000-0000000000c1';

export const at = (time: string) => `2024-03-0${time}Z`;

export function listed(
  sku: string,
  time = '1T08:00:00',
  unitAmount = 1500,
): EventOf<'ProductListed'> {
  return {
    type: 'ProductListed',
    data: {
      sku,
      name: `Product ${sku}`,
      description: '',
      image: '',
      unitAmount,
      currency: 'eur',
      at: at(time),
    },
  };
}

export function adjusted(
  sku: string,
  delta: number,
  time = '1T08:01:00',
): EventOf<'StockAdjusted'> {
  return { type: 'StockAdjusted', data: { sku, delta, reason: 'restock', at: at(time) } };
}

export function reserved(
  sku: string,
  quantity: number,
  orderId = ORDER,
  time = '1T10:00:00',
): EventOf<'StockReserved'> {
  return {
    type: 'StockReserved',
    data: { sku, orderId, quantity, expiresAt: at('2T10:00:00'), at: at(time) },
  };
}

export function released(
  sku: string,
  quantity: number,
  reason: EventOf<'StockReleased'>['data']['reason'],
  orderId = ORDER,
  time = '1T11:00:00',
): EventOf<'StockReleased'> {
  return { type: 'StockReleased', data: { sku, orderId, quantity, reason, at: at(time) } };
}

/** A late payment's units taken back from stock. */
export function retaken(
  sku: string,
  quantity: number,
  orderId = ORDER,
  time = '2T10:00:10',
): EventOf<'StockRetaken'> {
  return { type: 'StockRetaken', data: { sku, orderId, quantity, at: at(time) } };
}

/** A late payment's units the product no longer had. */
export function shortfall(
  sku: string,
  missing: number,
  orderId = ORDER,
  time = '2T10:00:10',
): EventOf<'StockShortfall'> {
  return { type: 'StockShortfall', data: { sku, orderId, missing, at: at(time) } };
}

/** A shortfall the site owner settled another way (a refund). */
export function shortfallSettled(
  sku: string,
  units: number,
  orderId = ORDER,
  time = '2T12:00:00',
): EventOf<'ShortfallSettled'> {
  return {
    type: 'ShortfallSettled',
    data: { sku, orderId, units, reason: 'refunded', at: at(time) },
  };
}

export function cartValidated(
  lines: { sku: string; quantity: number; unitAmount?: number }[],
  orderId = ORDER,
  time = '1T10:00:00',
): EventOf<'CartValidated'> {
  const priced = lines.map(({ sku, quantity, unitAmount = 1500 }) => ({
    sku,
    name: `Product ${sku}`,
    image: '',
    unitAmount,
    quantity,
    amount: unitAmount * quantity,
  }));
  return {
    type: 'CartValidated',
    data: {
      orderId,
      checkoutId: CHECKOUT,
      lines: priced,
      currency: 'eur',
      total: priced.reduce((sum, line) => sum + line.amount, 0),
      email: 'ada@example.com',
      origin: 'https://shop.example',
      returnUrl: 'https://shop.example/cart',
      at: at(time),
    },
  };
}

export function checkoutStarted(
  amount: number,
  orderId = ORDER,
  time = '1T10:00:01',
): EventOf<'CheckoutStarted'> {
  return {
    type: 'CheckoutStarted',
    data: {
      orderId,
      sessionId: `cs_test_${orderId.slice(-4)}`,
      url: `https://checkout.stripe.com/c/pay/cs_test_${orderId.slice(-4)}`,
      expiresAt: at('2T10:00:01'),
      amount,
      currency: 'eur',
      at: at(time),
    },
  };
}

const stripe = (orderId: string, time: string, n: number) => ({
  orderId,
  stripeEventId: `evt_${n}`,
  sessionId: `cs_test_${orderId.slice(-4)}`,
  at: at(time),
});

export function paymentPending(orderId = ORDER, time = '1T10:05:00'): EventOf<'PaymentPending'> {
  return { type: 'PaymentPending', data: { ...stripe(orderId, time, 1), paymentStatus: 'unpaid' } };
}

export function paymentCompleted(
  amount: number,
  orderId = ORDER,
  time = '1T10:06:00',
  late?: boolean,
): EventOf<'PaymentCompleted'> {
  return {
    type: 'PaymentCompleted',
    data: {
      ...stripe(orderId, time, 2),
      paymentIntentId: 'pi_123',
      amount,
      currency: 'eur',
      ...(late === undefined ? {} : { late }),
    },
  };
}

/** A refund Stripe made on the order's payment (`pi_123`); `refunded` is all refunded so far. */
export function paymentRefunded(
  amount: number,
  refunded: number,
  orderId = ORDER,
  time = '3T09:00:00',
): EventOf<'PaymentRefunded'> {
  return {
    type: 'PaymentRefunded',
    data: {
      orderId,
      stripeEventId: `evt_refund_${refunded}`,
      paymentIntentId: 'pi_123',
      chargeId: 'ch_123',
      refundId: `re_${refunded}`,
      amount,
      refunded,
      currency: 'eur',
      at: at(time),
      refundedAt: at(time),
    },
  };
}

/** A refund of the order's payment that failed at `time`; `refunded` is what is left refunded. */
export function refundFailed(
  amount: number,
  refunded: number,
  refundId: string,
  orderId = ORDER,
  time = '5T09:00:00',
): EventOf<'RefundFailed'> {
  return {
    type: 'RefundFailed',
    data: {
      orderId,
      stripeEventId: `evt_${refundId}_failed`,
      paymentIntentId: 'pi_123',
      chargeId: 'ch_123',
      refundId,
      amount,
      refunded,
      currency: 'eur',
      at: at(time),
      failedAt: at(time),
    },
  };
}

/** A dispute of the order's payment (`pi_123`), opened at `time`. */
export function paymentDisputed(
  amount: number,
  disputeId = 'dp_1',
  orderId = ORDER,
  time = '4T09:00:00',
): EventOf<'PaymentDisputed'> {
  return {
    type: 'PaymentDisputed',
    data: {
      orderId,
      stripeEventId: `evt_${disputeId}_created`,
      paymentIntentId: 'pi_123',
      chargeId: 'ch_123',
      disputeId,
      amount,
      currency: 'eur',
      reason: 'fraudulent',
      inquiry: false,
      at: at(time),
      disputedAt: at(time),
    },
  };
}

/** That dispute closed at `time`, losing `lost` (the disputed amount when lost, else 0). */
export function disputeClosed(
  outcome: EventOf<'DisputeClosed'>['data']['outcome'],
  lost: number,
  disputeId = 'dp_1',
  orderId = ORDER,
  time = '6T09:00:00',
  closing = 1,
): EventOf<'DisputeClosed'> {
  return {
    type: 'DisputeClosed',
    data: {
      orderId,
      stripeEventId: `evt_${disputeId}_closed`,
      paymentIntentId: 'pi_123',
      disputeId,
      outcome,
      lost,
      closing,
      currency: 'eur',
      at: at(time),
      closedAt: at(time),
    },
  };
}

export function paymentMismatched(
  amount: number,
  orderId = ORDER,
  time = '1T10:06:00',
): EventOf<'PaymentMismatched'> {
  return {
    type: 'PaymentMismatched',
    data: {
      ...stripe(orderId, time, 3),
      expected: { amount, currency: 'eur' },
      received: { amount: amount - 1, currency: 'eur' },
    },
  };
}

export function paymentFailed(orderId = ORDER, time = '1T10:07:00'): EventOf<'PaymentFailed'> {
  return { type: 'PaymentFailed', data: stripe(orderId, time, 4) };
}

export function checkoutExpired(orderId = ORDER, time = '2T10:00:01'): EventOf<'CheckoutExpired'> {
  return {
    type: 'CheckoutExpired',
    data: {
      orderId,
      stripeEventId: 'evt_5',
      sessionId: `cs_test_${orderId.slice(-4)}`,
      at: at(time),
    },
  };
}

export function checkoutFailed(orderId = ORDER, time = '1T10:00:02'): EventOf<'CheckoutFailed'> {
  return {
    type: 'CheckoutFailed',
    data: { orderId, reason: 'stripe_unreachable', message: 'connect ECONNREFUSED', at: at(time) },
  };
}

export type { DomainEvent };
