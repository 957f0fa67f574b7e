import { describe, it } from 'vitest';
import type { SessionFacts } from '../../server/checkout/order';
import { orderDecider } from '../../server/checkout/order';
import type { OrderEvent } from '../../server/domain/events';
import { spec } from '../support/decider-spec';

const given = spec(orderDecider);
const at = '2026-11-26T10:00:00.000Z';
const orderId = '33333333-3333-4333-8333-333333333333';
const cart: OrderEvent = {
  type: 'CartValidated',
  data: {
    orderId,
    checkoutId: '44444444-4444-4444-8444-444444444444',
    lines: [
      { sku: 'PELE-1958', name: 'Pelé', image: '', unitAmount: 18900, quantity: 2, amount: 37800 },
    ],
    currency: 'eur',
    total: 37800,
    email: 'fan@example.com',
    origin: 'http://localhost:3000',
    returnUrl: 'http://localhost:3000/',
    at,
  },
};
const session: SessionFacts = {
  id: 'cs_test_1',
  url: 'http://127.0.0.1:12111/pay/cs_test_1',
  expiresAt: '2026-11-26T10:31:00.000Z',
  status: 'complete',
  paymentStatus: 'paid',
  amountTotal: 37800,
  currency: 'eur',
  paymentIntentId: 'pi_1',
  orderId,
};
const started: OrderEvent = {
  type: 'CheckoutStarted',
  data: {
    orderId,
    sessionId: session.id,
    url: session.url!,
    expiresAt: session.expiresAt,
    amount: 37800,
    currency: 'eur',
    at,
  },
};
const outcome = (
  kind: 'completed' | 'async_succeeded' | 'async_failed' | 'expired' | 'fetched',
  facts: Partial<SessionFacts> = {},
  stripeEventId: string | null = 'evt_1',
) =>
  ({
    type: 'RecordStripeOutcome',
    outcome: kind,
    stripeEventId,
    session: { ...session, ...facts },
    at,
  }) as const;
const paid: OrderEvent = {
  type: 'PaymentCompleted',
  data: {
    orderId,
    stripeEventId: 'evt_1',
    sessionId: session.id,
    at,
    paymentIntentId: 'pi_1',
    amount: 37800,
    currency: 'eur',
  },
};

describe('order decider', () => {
  it('validates a cart once per order', () => {
    given()
      .when({ type: 'ValidateCart', cart: cart.data as never })
      .then(cart);
    given(cart)
      .when({ type: 'ValidateCart', cart: cart.data as never })
      .thenRefused('order_exists');
  });

  it('starts the checkout with the Stripe session', () => {
    given(cart)
      .when({
        type: 'StartCheckout',
        session: { ...session, status: 'open', paymentStatus: 'unpaid' },
        at,
      })
      .then(started);
  });

  it('starting the same session again adds nothing', () => {
    given(cart, started).when({ type: 'StartCheckout', session, at }).thenNothing();
  });

  it('records a paid session as PaymentCompleted', () => {
    given(cart, started).when(outcome('completed')).then(paid);
  });

  it('records nothing more once paid, whichever path reports it', () => {
    given(cart, started, paid)
      .when(outcome('completed', {}, 'evt_2'))
      .thenNothing();
    given(cart, started, paid)
      .when(outcome('async_succeeded', {}, 'evt_3'))
      .thenNothing();
    given(cart, started, paid)
      .when(outcome('fetched', {}, null))
      .thenNothing();
    given(cart, started, paid)
      .when(outcome('expired', {}, 'evt_4'))
      .thenNothing();
  });

  it('records a completed but unpaid session as pending', () => {
    given(cart, started)
      .when(outcome('completed', { paymentStatus: 'unpaid' }))
      .then({
        type: 'PaymentPending',
        data: {
          orderId,
          stripeEventId: 'evt_1',
          sessionId: session.id,
          at,
          paymentStatus: 'unpaid',
        },
      });
  });

  it('pays a pending order when the async payment succeeds', () => {
    const pending: OrderEvent = {
      type: 'PaymentPending',
      data: { orderId, stripeEventId: 'evt_0', sessionId: session.id, at, paymentStatus: 'unpaid' },
    };
    given(cart, started, pending).when(outcome('async_succeeded')).then(paid);
  });

  it('fails a pending order when the async payment fails', () => {
    given(cart, started)
      .when(outcome('async_failed', { paymentStatus: 'unpaid' }))
      .then({
        type: 'PaymentFailed',
        data: { orderId, stripeEventId: 'evt_1', sessionId: session.id, at },
      });
  });

  it('expires an unpaid checkout', () => {
    given(cart, started)
      .when(outcome('expired', { status: 'expired', paymentStatus: 'unpaid' }))
      .then({
        type: 'CheckoutExpired',
        data: { orderId, stripeEventId: 'evt_1', sessionId: session.id, at },
      });
  });

  /** What a payment of `received` against the cart (37,800 eur) records. */
  const mismatched = (received: { amount: number; currency: string }): OrderEvent => ({
    type: 'PaymentMismatched',
    data: {
      orderId,
      stripeEventId: 'evt_1',
      sessionId: session.id,
      at,
      paymentIntentId: session.paymentIntentId,
      expected: { amount: 37800, currency: 'eur' },
      received,
    },
  });

  it('never marks paid an amount that is not the order total', () => {
    given(cart, started)
      .when(outcome('completed', { amountTotal: 100 }))
      .then(mismatched({ amount: 100, currency: 'eur' }));
  });

  it('records a mismatched payment once, however it is heard of again (redelivery, success page)', () => {
    const recorded = mismatched({ amount: 100, currency: 'eur' });
    given(cart, started, recorded)
      .when(outcome('fetched', { amountTotal: 100 }, null))
      .thenNothing();
    given(cart, started, recorded)
      .when(outcome('completed', { amountTotal: 100 }, 'evt_2'))
      .thenNothing();
  });

  it('never marks paid a currency that is not the order currency', () => {
    given(cart, started)
      .when(outcome('completed', { currency: 'usd' }))
      .then(mismatched({ amount: 37800, currency: 'usd' }));
  });

  it('records a payment that arrives after expiry, flagged late', () => {
    const expired: OrderEvent = {
      type: 'CheckoutExpired',
      data: { orderId, stripeEventId: null, sessionId: session.id, at },
    };
    given(cart, started, expired)
      .when(outcome('completed'))
      .then({ type: 'PaymentCompleted', data: { ...paid.data, late: true } } as OrderEvent);
  });

  it('refuses an outcome for another session', () => {
    given(cart, started)
      .when(outcome('completed', { id: 'cs_test_other' }))
      .thenRefused('session_mismatch');
  });

  it('records the start too when the payment arrives before CheckoutStarted was appended', () => {
    given(cart).when(outcome('completed')).then(started, paid);
  });

  it('refuses an outcome for an order that does not exist', () => {
    given().when(outcome('completed')).thenRefused('unknown_order');
  });
});

describe('the reservation sweep', () => {
  it('expires an order whose session outlived its reservation', () => {
    given(cart, started)
      .when({ type: 'SweepCheckout', at, sessionId: session.id })
      .then({
        type: 'CheckoutExpired',
        data: { orderId, stripeEventId: null, sessionId: session.id, at },
      });
  });

  it('expires an order whose request never got a session', () => {
    given(cart)
      .when({ type: 'SweepCheckout', at, sessionId: null })
      .then({ type: 'CheckoutExpired', data: { orderId, stripeEventId: null, sessionId: '', at } });
  });

  it('leaves an order whose session started after the caller read it (the caller asks Stripe first)', () => {
    given(cart, started).when({ type: 'SweepCheckout', at, sessionId: null }).thenNothing();
    given(cart, started).when({ type: 'SweepCheckout', at, sessionId: 'cs_other' }).thenNothing();
  });

  it('leaves paid and pending orders alone', () => {
    given(cart, started, paid)
      .when({ type: 'SweepCheckout', at, sessionId: session.id })
      .thenNothing();
    const pending: OrderEvent = {
      type: 'PaymentPending',
      data: { orderId, stripeEventId: 'evt_0', sessionId: session.id, at, paymentStatus: 'unpaid' },
    };
    given(cart, started, pending)
      .when({ type: 'SweepCheckout', at, sessionId: session.id })
      .thenNothing();
  });

  describe('refunds', () => {
    const charge = { chargeId: 'ch_1', paymentIntentId: 'pi_1', amount: 37800, currency: 'eur' };
    const made = (
      id: string,
      amount: number,
      created: string,
      currency = 'eur',
      failed = false,
    ) => ({
      id,
      amount,
      currency,
      created: `2026-11-${created}:00:00.000Z`,
      failed,
    });
    const refunds = (list: ReturnType<typeof made>[], facts: Partial<typeof charge> = {}) =>
      ({
        type: 'RecordRefunds',
        stripeEventId: 'evt_r',
        charge: { ...charge, ...facts },
        refunds: list,
        at,
        occurredAt: failedAt,
        // The refund a failure's own notice is about.
        refundId: list.find((refund) => refund.failed)?.id,
      }) as const;
    const refunded = (
      refundId: string,
      amount: number,
      total: number,
      created: string,
      extra: object = {},
    ): OrderEvent => ({
      type: 'PaymentRefunded',
      data: {
        orderId,
        stripeEventId: 'evt_r',
        paymentIntentId: 'pi_1',
        chargeId: 'ch_1',
        refundId,
        amount,
        refunded: total,
        currency: 'eur',
        ...extra,
        at,
        refundedAt: `2026-11-${created}:00:00.000Z`,
      },
    });

    const failedAt = '2026-11-29T09:00:00.000Z';
    const failed = (
      refundId: string,
      amount: number,
      total: number,
      extra: object = {},
    ): OrderEvent => ({
      type: 'RefundFailed',
      data: {
        orderId,
        stripeEventId: 'evt_r',
        paymentIntentId: 'pi_1',
        chargeId: 'ch_1',
        refundId,
        amount,
        refunded: total,
        currency: 'eur',
        ...extra,
        at,
        failedAt,
      },
    });

    it('takes back a recorded refund that failed since, once, before recording new ones', () => {
      const first = refunded('re_1', 37800, 37800, '27T09');
      given(cart, started, paid, first)
        .when(refunds([made('re_1', 37800, '27T09', 'eur', true), made('re_2', 30000, '29T10')]))
        .then(failed('re_1', 37800, 0), refunded('re_2', 30000, 30000, '29T10'));
      given(cart, started, paid, first, failed('re_1', 37800, 0))
        .when(refunds([made('re_1', 37800, '27T09', 'eur', true)]))
        .thenNothing();
    });

    it('dates a failure another, older notice finds by when it was heard, never before the refund', () => {
      const first = refunded('re_1', 37800, 37800, '27T09');
      const older = {
        ...refunds([made('re_1', 37800, '27T09', 'eur', true)]),
        refundId: undefined,
        occurredAt: '2026-11-25T09:00:00.000Z',
      };
      // `at` (when heard) is before the refund here: the refund's own time is the earliest.
      given(cart, started, paid, first)
        .when(older)
        .then({
          ...failed('re_1', 37800, 0),
          data: { ...failed('re_1', 37800, 0).data, failedAt: '2026-11-27T09:00:00.000Z' },
        } as OrderEvent);
      const heard = '2026-12-02T09:00:00.000Z';
      given(cart, started, paid, first)
        .when({ ...older, at: heard })
        .then({
          ...failed('re_1', 37800, 0),
          data: { ...failed('re_1', 37800, 0).data, at: heard, failedAt: heard },
        } as OrderEvent);
    });

    it('leaves out a refund that failed before it was ever recorded', () => {
      given(cart, started, paid)
        .when(refunds([made('re_1', 100, '27T09', 'eur', true), made('re_2', 200, '28T09')]))
        .then(refunded('re_2', 200, 200, '28T09'));
    });

    it("takes back a failed refund in the shopper's currency (Adaptive Pricing) as its share", () => {
      const inUsd = { amount: 41000, currency: 'usd' };
      const usd = (amount: number) => ({ charged: { amount, currency: 'usd' } });
      given(
        cart,
        started,
        paid,
        refunded('re_1', 9450, 9450, '27T09', usd(10250)),
        refunded('re_2', 28350, 37800, '28T09', usd(30750)),
      )
        .when(
          refunds(
            [made('re_1', 10250, '27T09', 'usd', true), made('re_2', 30750, '28T09', 'usd')],
            inUsd,
          ),
        )
        .then(failed('re_1', 9450, 28350, usd(10250)));
    });

    it('records each refund not recorded yet, oldest first, with its own amount and time', () => {
      given(cart, started, paid)
        .when(refunds([made('re_2', 500, '28T09'), made('re_1', 10000, '27T09')]))
        .then(refunded('re_1', 10000, 10000, '27T09'), refunded('re_2', 500, 10500, '28T09'));
      given(cart, started, paid, refunded('re_2', 500, 500, '28T09'))
        .when(refunds([made('re_2', 500, '28T09'), made('re_1', 10000, '27T09')]))
        .then(refunded('re_1', 10000, 10500, '27T09'));
    });

    it('records nothing for refunds all recorded (a resend, another notice of the same refunds)', () => {
      given(cart, started, paid, refunded('re_1', 10000, 10000, '27T09'))
        .when(refunds([made('re_1', 10000, '27T09')]))
        .thenNothing();
    });

    it('refuses refunds of a payment the order has not recorded, or that do not fit it', () => {
      given(cart, started)
        .when(refunds([made('re_1', 100, '27T09')]))
        .thenRefused('unknown_payment');
      given(cart, started, paid)
        .when(refunds([made('re_1', 100, '27T09')], { paymentIntentId: 'pi_other' }))
        .thenRefused('unknown_payment');
      given(cart, started, paid)
        .when(refunds([made('re_1', 37801, '27T09')]))
        .thenRefused('refund_mismatch');
      given(cart, started, paid)
        .when(refunds([made('re_1', 100, '27T09')], { amount: 100 }))
        .thenRefused('refund_mismatch');
      given(cart, started, paid)
        .when(refunds([made('re_1', 100, '27T09', 'usd')]))
        .thenRefused('refund_mismatch');
    });

    it("counts a refund in the shopper's currency (Adaptive Pricing) as its share of the payment", () => {
      const inUsd = { amount: 41000, currency: 'usd' };
      given(cart, started, paid)
        .when(
          refunds(
            [made('re_1', 10250, '27T09', 'usd'), made('re_2', 30750, '28T09', 'usd')],
            inUsd,
          ),
        )
        .then(
          refunded('re_1', 9450, 9450, '27T09', { charged: { amount: 10250, currency: 'usd' } }),
          refunded('re_2', 28350, 37800, '28T09', { charged: { amount: 30750, currency: 'usd' } }),
        );
    });

    it('records a refund of a mismatched payment against what Stripe took', () => {
      const mismatched: OrderEvent = {
        type: 'PaymentMismatched',
        data: {
          orderId,
          stripeEventId: 'evt_m',
          sessionId: session.id,
          at,
          paymentIntentId: 'pi_1',
          expected: { amount: 37800, currency: 'eur' },
          received: { amount: 100, currency: 'eur' },
        },
      };
      given(cart, started, mismatched)
        .when(refunds([made('re_1', 100, '27T09')], { amount: 100 }))
        .then(refunded('re_1', 100, 100, '27T09'));
    });
  });
  describe('disputes', () => {
    const charge = { chargeId: 'ch_1', paymentIntentId: 'pi_1', amount: 37800, currency: 'eur' };
    const openedAt = '2026-11-27T09:00:00.000Z';
    const closedAt = '2026-12-20T09:00:00.000Z';
    const dispute = (status: string, facts: object = {}, chargeFacts: object = {}) =>
      ({
        type: 'RecordDispute',
        stripeEventId: 'evt_d',
        charge: { ...charge, ...chargeFacts },
        dispute: {
          id: 'dp_1',
          chargeId: 'ch_1',
          amount: 37800,
          currency: 'eur',
          reason: 'fraudulent',
          status,
          created: openedAt,
          ...facts,
        },
        at,
        occurredAt: closedAt,
      }) as const;
    const disputed = (extra: object = {}): OrderEvent => ({
      type: 'PaymentDisputed',
      data: {
        orderId,
        stripeEventId: 'evt_d',
        paymentIntentId: 'pi_1',
        disputeId: 'dp_1',
        currency: 'eur',
        at,
        chargeId: 'ch_1',
        amount: 37800,
        reason: 'fraudulent',
        inquiry: false,
        disputedAt: openedAt,
        ...extra,
      },
    });
    const closed = (
      outcome: 'won' | 'lost' | 'warning_closed' | 'prevented' | 'charge_refunded',
      lost: number,
      closing = 1,
      when = closedAt,
    ): OrderEvent => ({
      type: 'DisputeClosed',
      data: {
        orderId,
        stripeEventId: 'evt_d',
        paymentIntentId: 'pi_1',
        disputeId: 'dp_1',
        currency: 'eur',
        at,
        outcome,
        lost,
        closing,
        closedAt: when,
      },
    });

    it('records a dispute opened, then its closing, each once', () => {
      given(cart, started, paid).when(dispute('needs_response')).then(disputed());
      given(cart, started, paid, disputed()).when(dispute('under_review')).thenNothing();
      given(cart, started, paid, disputed()).when(dispute('lost')).then(closed('lost', 37800));
      given(cart, started, paid, disputed(), closed('lost', 37800))
        .when(dispute('lost'))
        .thenNothing();
    });

    it('records both at once when the closing is the first heard of', () => {
      given(cart, started, paid).when(dispute('won')).then(disputed(), closed('won', 0));
      given(cart, started, paid)
        .when(dispute('warning_closed'))
        .then(disputed({ inquiry: true }), closed('warning_closed', 0));
    });

    it('loses nothing but what the bank decided for the shopper', () => {
      for (const outcome of ['won', 'warning_closed', 'prevented', 'charge_refunded'] as const)
        given(cart, started, paid, disputed()).when(dispute(outcome)).then(closed(outcome, 0));
    });

    it('records a dispute for more than the charge (bundled charges, conversion) at its amount', () => {
      given(cart, started, paid)
        .when(dispute('needs_response', { amount: 40000 }))
        .then(disputed({ amount: 40000 }));
      given(cart, started, paid, disputed({ amount: 40000 }))
        .when(dispute('lost', { amount: 40000 }))
        .then(closed('lost', 40000));
    });

    it('records an appeal won after the loss as a second closing, and no older notice undoes it', () => {
      const later = '2027-01-20T09:00:00.000Z';
      const lost = closed('lost', 37800);
      given(cart, started, paid, disputed(), lost)
        .when({ ...dispute('won'), occurredAt: later })
        .then(closed('won', 0, 2, later));
      // Stripe's retry of the notice that said lost, after the appeal was recorded.
      given(cart, started, paid, disputed(), lost, closed('won', 0, 2, later))
        .when(dispute('lost'))
        .thenNothing();
      // An appeal under way changes nothing yet.
      given(cart, started, paid, disputed(), lost)
        .when({ ...dispute('appeal_under_review'), occurredAt: later })
        .thenNothing();
    });

    it('records an inquiry that became a chargeback, once, before it closes', () => {
      const asked = disputed({ inquiry: true });
      const escalated: OrderEvent = {
        type: 'DisputeEscalated',
        data: {
          orderId,
          stripeEventId: 'evt_d',
          paymentIntentId: 'pi_1',
          disputeId: 'dp_1',
          at,
          escalatedAt: closedAt,
        },
      };
      given(cart, started, paid, asked).when(dispute('needs_response')).then(escalated);
      given(cart, started, paid, asked, escalated).when(dispute('under_review')).thenNothing();
      given(cart, started, paid, asked)
        .when(dispute('lost'))
        .then(escalated, closed('lost', 37800));
    });

    it('never takes back more than the payment with a refund and a dispute under Adaptive Pricing', () => {
      const usd = { amount: 200, currency: 'usd' };
      const small: OrderEvent = {
        type: 'PaymentCompleted',
        data: { ...paid.data, amount: 100 },
      } as OrderEvent;
      const refund: OrderEvent = {
        type: 'PaymentRefunded',
        data: {
          orderId,
          stripeEventId: 'evt_r',
          paymentIntentId: 'pi_1',
          chargeId: 'ch_1',
          refundId: 're_1',
          amount: 3,
          refunded: 3,
          currency: 'eur',
          charged: { amount: 5, currency: 'usd' },
          at,
          refundedAt: at,
        },
      };
      given(cart, started, small, refund)
        .when(dispute('needs_response', { amount: 195, currency: 'usd' }, usd))
        .then(disputed({ amount: 97, charged: { amount: 195, currency: 'usd' } }));
    });

    it('refuses a dispute of a payment the order has not recorded, or that does not fit it', () => {
      given(cart, started).when(dispute('needs_response')).thenRefused('unknown_payment');
      given(cart, started, paid)
        .when(dispute('needs_response', { currency: 'usd' }))
        .thenRefused('dispute_mismatch');
      given(cart, started, paid)
        .when(dispute('needs_response', { chargeId: 'ch_other' }))
        .thenRefused('dispute_mismatch');
      given(cart, started, paid)
        .when(dispute('needs_response', {}, { amount: 100 }))
        .thenRefused('dispute_mismatch');
    });

    it("counts a dispute in the shopper's currency (Adaptive Pricing) as its share of the payment", () => {
      given(cart, started, paid)
        .when(
          dispute(
            'needs_response',
            { amount: 20500, currency: 'usd' },
            { amount: 41000, currency: 'usd' },
          ),
        )
        .then(disputed({ amount: 18900, charged: { amount: 20500, currency: 'usd' } }));
    });
  });
});
