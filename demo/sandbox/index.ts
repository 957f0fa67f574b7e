import { handleApi } from './api';
import { toChargeObject, toDisputeObject, toRefundObject } from './chargeObject';
import { type ChargeState, ChargeStore, type DisputeState, type RefundState } from './charges';
import { type PaymentForm, type PaymentResult, submitPayment } from './checkout';
import { SandboxClock } from './clock';
import type { SandboxContext } from './context';
import { createControlHandler } from './control';
import { DISPUTE_REASONS } from './disputeParams';
import { resourceMissing } from './errors';
import {
  type AnyStripeEvent,
  buildEvent,
  type EventDataObject,
  type EventRequest,
  type StripeEventObject,
} from './events';
import { FaultQueue } from './faults';
import { DEFAULT_STRIPE_DATA_DIR, type JsonObject, loadTemplates } from './fixtures';
import { IdempotencyStore } from './idempotency';
import { handlePage } from './pageRoutes';
import { REFUND_FAILURE_REASONS } from './refundParams';
import { closeServer, createSandboxServer, listen } from './server';
import { toSessionObject } from './sessionObject';
import { type SessionState, SessionStore } from './sessions';
import type { Sandbox, SandboxOptions, SandboxPaymentMethod, SandboxPayResult } from './types';
import { WebhookDispatcher } from './webhooks';
import { WorkTracker } from './work';

export type * from './types';

export const DEFAULT_SECRET_KEY = 'sk_test_sandbox';
export const DEFAULT_WEBHOOK_SECRET = 'whsec_sandbox_0123456789abcdef0123456789abcdef';

/**
 * Starts the local Stripe sandbox: Stripe's Checkout Session API under `/v1`, the hosted
 * payment page under `/pay`, signed webhooks, and the control API under `/_sandbox`.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const secretKey = options.secretKey ?? DEFAULT_SECRET_KEY;
  const webhookSecret = options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET;
  const log = options.log ?? (() => {});
  const templates = loadTemplates(options.stripeDataDir ?? DEFAULT_STRIPE_DATA_DIR);
  if (!templates) log('Stripe fixtures not found: objects carry the sandbox fields only');

  const clock = new SandboxClock();
  const work = new WorkTracker();
  const events: AnyStripeEvent[] = [];
  // Known once the server listens (port 0 picks one).
  let baseUrl = '';
  let publicUrl = '';

  const webhooks = new WebhookDispatcher({
    secret: webhookSecret,
    url: options.webhookUrl,
    retryInitialDelayMs: options.retryInitialDelayMs ?? 1000,
    maxAttempts: options.maxAttempts ?? 8,
    timeoutMs: options.deliveryTimeoutMs ?? 10_000,
    work,
    log,
  });
  const sessionObject = (state: SessionState) =>
    toSessionObject(state, `${publicUrl}/pay/${state.id}`, templates?.session ?? {});
  const chargeObject = (charge: ChargeState) => toChargeObject(charge, templates?.charge ?? {});
  const refundObject = (refund: RefundState) => toRefundObject(refund, templates?.refund ?? {});
  const disputeObject = (dispute: DisputeState) =>
    toDisputeObject(
      dispute,
      templates?.dispute ?? { object: {}, evidence: {}, evidenceDetails: {} },
    );
  const emit = <T extends EventDataObject>(
    type: string,
    object: T,
    apiVersion: string | null,
    request?: EventRequest,
    previousAttributes?: JsonObject,
  ) => {
    const event = buildEvent(
      {
        type,
        object,
        apiVersion,
        created: clock.nowSeconds(),
        pendingWebhooks: webhooks.url === undefined ? 0 : 1,
        ...(request ? { request } : {}),
        ...(previousAttributes ? { previousAttributes } : {}),
      },
      templates?.event ?? {},
    );
    events.push(event);
    webhooks.dispatch(event);
    return event;
  };
  const emitForSession = (type: string, state: SessionState, request?: EventRequest) =>
    emit(type, sessionObject(state), state.apiVersion, request);
  const charges = new ChargeStore({
    clock,
    onRefund: (refund, request) => {
      const { charge } = refund;
      emit('charge.refunded', chargeObject(charge), charge.apiVersion, request);
      emit('refund.created', refundObject(refund), charge.apiVersion, request);
    },
    // Only charge.refund.updated: the event types of API version 2020-08-27 (Stripe's spec for
    // it, the sandbox's) list it but not refund.failed or refund.updated, which came later.
    onRefundFailed: (refund) => {
      emit('charge.refund.updated', refundObject(refund), refund.charge.apiVersion, undefined, {
        status: 'succeeded',
      });
    },
    onDispute: (dispute, types, request) => {
      for (const type of types) {
        emit(type, disputeObject(dispute), dispute.charge.apiVersion, request);
      }
    },
  });
  const sessions = new SessionStore({
    clock,
    asyncDelayMs: options.asyncDelayMs ?? 2000,
    work,
    onChange: (change) => {
      // The money is taken now: at once for a card, at settlement for a debit.
      if (change.state.paymentStatus === 'paid') charges.record(change.state);
      emitForSession(change.type, change.state, change.request);
    },
  });
  const faults = new FaultQueue();
  const ctx: SandboxContext = {
    secretKey,
    clock,
    sessions,
    charges,
    idempotency: new IdempotencyStore(),
    faults,
    sessionObject,
    chargeObject,
    refundObject,
    disputeObject,
    log,
  };

  const requireSession = (id: string) => {
    const state = sessions.get(id);
    if (!state) throw new Error(`No such checkout.session: '${id}'`);
    return state;
  };
  /** The charge of a paid session; `what` names what the caller wanted to do with it. */
  const paidCharge = (sessionId: string, what: 'refund' | 'dispute') => {
    const state = requireSession(sessionId);
    const charge = charges.forSession(sessionId);
    if (!charge) {
      throw new Error(
        `Checkout session ${sessionId} is ${state.status} and ${state.paymentStatus}: nothing to ${what}`,
      );
    }
    return charge;
  };
  const requireAmount = (amount: number | undefined) => {
    if (amount !== undefined && (!Number.isSafeInteger(amount) || amount < 1)) {
      throw new RangeError('amount must be a whole number of minor units, 1 or more');
    }
  };

  const sandbox: Sandbox = {
    get url() {
      return baseUrl;
    },
    secretKey,
    webhookSecret,
    setWebhookUrl: (url) => webhooks.setUrl(url),
    pay: async (sessionId, paymentMethod) =>
      toPayResult(submitPayment(ctx, sessionId, paymentForm(paymentMethod, clock.nowMs()))),
    settle: (sessionId) => sessions.settle(sessionId),
    expire: async (sessionId) => {
      const state = requireSession(sessionId);
      if (!sessions.expire(state)) {
        throw new Error(`Checkout session ${sessionId} is ${state.status}, not open`);
      }
      return sessionObject(state);
    },
    refund: async (sessionId, amount) => {
      requireAmount(amount);
      const charge = paidCharge(sessionId, 'refund');
      return refundObject(charges.refund(charge, amount === undefined ? {} : { amount }));
    },
    dispute: async (sessionId, options = {}) => {
      requireAmount(options.amount);
      // Typed, but a script may send anything.
      if (options.reason !== undefined && !DISPUTE_REASONS.includes(options.reason)) {
        throw new RangeError(`reason must be one of ${DISPUTE_REASONS.join(', ')}`);
      }
      return disputeObject(charges.dispute(paidCharge(sessionId, 'dispute'), options));
    },
    failRefund: async (refundId, reason = 'lost_or_stolen_card') => {
      // Typed, but a script may send anything.
      if (!REFUND_FAILURE_REASONS.includes(reason)) {
        throw new RangeError(`reason must be one of ${REFUND_FAILURE_REASONS.join(', ')}`);
      }
      const refund = charges.getRefund(refundId);
      if (!refund) throw resourceMissing('refund', refundId, 'id');
      charges.failRefund(refund, reason);
      return refundObject(refund);
    },
    closeDispute: async (disputeId, outcome) => {
      const dispute = charges.getDispute(disputeId);
      if (!dispute) throw resourceMissing('dispute', disputeId, 'dispute');
      charges.closeDispute(dispute, outcome);
      return disputeObject(dispute);
    },
    charge: (sessionId) => {
      const charge = charges.forSession(sessionId);
      return charge && chargeObject(charge);
    },
    session: (id) => {
      const state = sessions.get(id);
      return state && sessionObject(state);
    },
    sessions: () => sessions.all().map(sessionObject),
    setDelivery: (change) => webhooks.setOptions(change),
    flush: () => webhooks.flush(),
    sendEvent: (type, sessionId) => emitForSession(type, requireSession(sessionId)),
    resend: (eventId) => {
      const event = events.find((candidate) => candidate.id === eventId);
      if (!event) throw new Error(`No such event: '${eventId}'`);
      webhooks.dispatch(event);
    },
    // Typed as session events, as the Sandbox interface says; refund and dispute events are
    // among them.
    events: () => structuredClone(events) as StripeEventObject[],
    deliveries: () => webhooks.deliveries(),
    idle: () => work.idle(),
    failNext: (kind, count = 1) => faults.add(kind, count),
    advanceClock: (ms, { expireDue = true } = {}) => {
      clock.advance(ms);
      if (expireDue) sessions.rearmExpiryTimers();
    },
    close: async () => {
      sessions.close();
      webhooks.close();
      faults.clear();
      await closeServer(server);
    },
  };

  const server = createSandboxServer(
    {
      api: (request, response, url, body) => handleApi(ctx, request, response, url, body),
      page: (request, response, url, body) => handlePage(ctx, request, response, url, body),
      control: createControlHandler(sandbox, secretKey),
    },
    log,
  );
  const port = await listen(server, options.port ?? 0, host);
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  publicUrl = options.publicUrl?.replace(/\/$/, '') ?? baseUrl;
  return sandbox;
}

function paymentForm(method: SandboxPaymentMethod | undefined, nowMs: number): PaymentForm {
  const chosen = method ?? { card: '4242 4242 4242 4242' };
  const email = chosen.email ?? 'shopper@example.com';
  if ('iban' in chosen) return { method: 'sepa_debit', iban: chosen.iban, email };
  const nextYear = (new Date(nowMs).getUTCFullYear() + 1) % 100;
  return {
    method: 'card',
    card_number: chosen.card,
    card_expiry: chosen.expiry ?? `12 / ${String(nextYear).padStart(2, '0')}`,
    card_cvc: chosen.cvc ?? (/^3[47]/.test(chosen.card) ? '1234' : '123'),
    email,
  };
}

function toPayResult(result: PaymentResult): SandboxPayResult {
  switch (result.outcome) {
    case 'redirect':
      return { redirectUrl: result.redirectUrl };
    case 'declined':
      return { declined: true, error: result.message };
    case 'invalid':
    case 'unavailable':
      return { error: result.message };
    default: {
      const exhaustive: never = result;
      return exhaustive;
    }
  }
}
