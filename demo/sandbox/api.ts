import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChargeState, DisputeState, RefundState } from './charges';
import { CHECKOUT_SESSION_LIST_PARAMS, type RawListParams } from './checkoutParams';
import type { SandboxContext } from './context';
import { DISPUTE_LIST_PARAMS, type RawDisputeListParams } from './disputeParams';
import {
  ApiError,
  apiError,
  authenticationFailed,
  cardDeclined,
  idempotencyInProgress,
  idempotencyMismatch,
  invalidRequest,
  resourceMissing,
  unrecognizedUrl,
} from './errors';
import type { EventRequest } from './events';
import { type FaultKind, IN_PROGRESS_MS } from './faults';
import { decodeForm } from './forms';
import { bearerToken, sameSecret, send } from './http';
import { requestFingerprint } from './idempotency';
import { newRequestId } from './ids';
import { validateParams } from './params';
import {
  type RawRefundListParams,
  type RawRefundParams,
  REFUND_CREATE_PARAMS,
  REFUND_LIST_PARAMS,
} from './refundParams';
import { parseCreateSession } from './sessionInput';
import type { SessionState } from './sessions';

interface ApiCall {
  apiKey: string | undefined;
  method: string;
  path: string;
  query: string;
  body: string;
  apiVersion: string | null;
  request: EventRequest;
}

interface ApiResult {
  status: number;
  value: unknown;
}

const SESSIONS = '/v1/checkout/sessions';
const SESSION = /^\/v1\/checkout\/sessions\/([^/]+)$/;
const SESSION_EXPIRE = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/;
const REFUNDS = '/v1/refunds';
const REFUND = /^\/v1\/refunds\/([^/]+)$/;
const CHARGE = /^\/v1\/charges\/([^/]+)$/;
const DISPUTES = '/v1/disputes';
const DISPUTE = /^\/v1\/disputes\/([^/]+)$/;
const DISPUTE_CLOSE = /^\/v1\/disputes\/([^/]+)\/close$/;
const EXPAND_ONLY = {
  expand: { type: 'array', items: { type: 'string', maxLength: 5000 } },
} as const;

type Reply = { kind: 'reply'; status: number; body: string; replayed?: boolean };
type Outcome =
  | Reply
  | { kind: 'reset'; note: string }
  | { kind: 'hang' }
  /** Processed, answered after `ms`; `done` then runs (the idempotency key is saved). */
  | { kind: 'held'; reply: Reply; ms: number; done: () => void };

const json = (status: number, value: unknown): Reply => ({
  kind: 'reply',
  status,
  body: `${JSON.stringify(value, null, 2)}\n`,
});

/**
 * The Stripe API: `/v1/checkout/sessions` create, list, retrieve and expire; `/v1/refunds`
 * create, list and retrieve; `/v1/charges/:id` retrieve; `/v1/disputes` list, retrieve and close.
 */
export function handleApi(
  ctx: SandboxContext,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  body: string,
): void {
  const method = request.method ?? 'GET';
  const requestId = newRequestId();
  const apiVersion = header(request, 'stripe-version');
  const idempotencyKey = method === 'POST' ? header(request, 'idempotency-key') : null;
  const outcome = decide(ctx, {
    apiKey: bearerToken(request),
    method,
    path: url.pathname,
    query: url.search.slice(1),
    body,
    apiVersion,
    request: { id: requestId, idempotency_key: idempotencyKey },
  });
  const what = `${method} ${url.pathname}`;
  const reply = (answer: Reply) => {
    ctx.log(`${what} -> ${answer.status}${answer.replayed ? ' (idempotent replay)' : ''}`);
    send(response, answer.status, 'application/json', answer.body, {
      // Stripe's clock, which tests move: the reservation sweep reads it.
      date: new Date(ctx.clock.nowMs()).toUTCString(),
      'request-id': requestId,
      ...(apiVersion ? { 'stripe-version': apiVersion } : {}),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      ...(answer.replayed ? { 'idempotent-replayed': 'true' } : {}),
      // A 500 saved for its key would only be replayed: Stripe tells its packages not to
      // retry it (stripe-node obeys Stripe-Should-Retry, and retries a bare 5xx after a delay).
      ...(idempotencyKey && answer.status >= 500 ? { 'stripe-should-retry': 'false' } : {}),
    });
  };
  switch (outcome.kind) {
    case 'hang':
      // Never answered: the client's own timeout ends it, or close() drops the connection.
      ctx.log(`${what} -> no answer (injected timeout)`);
      break;
    case 'reset':
      ctx.log(`${what} -> ${outcome.note}`);
      request.socket.destroy();
      break;
    case 'reply':
      reply(outcome);
      break;
    case 'held':
      ctx.log(`${what} -> processed, answer held ${outcome.ms} ms (injected)`);
      setTimeout(() => {
        outcome.done();
        reply(outcome.reply);
      }, outcome.ms).unref();
      break;
    default: {
      const exhaustive: never = outcome;
      throw new Error(`Unhandled outcome ${JSON.stringify(exhaustive)}`);
    }
  }
}

function decide(ctx: SandboxContext, call: ApiCall): Outcome {
  const fault = ctx.faults.next();
  // Dropped before an answer: nothing is saved for the idempotency key, so a retry runs anew.
  if (fault === 'reset') return { kind: 'reset', note: 'connection reset (injected)' };
  if (fault === 'timeout') return { kind: 'hang' };

  if (call.apiKey === undefined || !sameSecret(call.apiKey, ctx.secretKey)) {
    return json(401, { error: authenticationFailed(call.apiKey).body });
  }

  const key = call.request.idempotency_key;
  const fingerprint = requestFingerprint(call.method, call.path, call.body);
  if (key) {
    const stored = ctx.idempotency.find(key, fingerprint);
    if (stored === 'in_progress') return json(409, { error: idempotencyInProgress().body });
    if (stored === 'mismatch') return json(400, { error: idempotencyMismatch(key).body });
    if (stored) return { kind: 'reply', ...stored, replayed: true };
  }

  let outcome: Reply;
  try {
    outcome = runEndpoint(ctx, call, fault);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // Refused by validation, before the endpoint ran: like Stripe, nothing is saved for the key.
    return json(error.status, { error: error.body });
  }
  if (fault === 'in_progress' && key) {
    ctx.idempotency.begin(key);
    const done = () => ctx.idempotency.save(key, fingerprint, outcome);
    return { kind: 'held', reply: outcome, ms: IN_PROGRESS_MS, done };
  }
  // Like Stripe, whatever the endpoint answered is saved for the key, errors included: a
  // retry with the same key gets the same 500 or 402 again, not a second try.
  if (key) ctx.idempotency.save(key, fingerprint, outcome);
  return fault === 'lost_response'
    ? { kind: 'reset', note: 'processed, connection reset (injected)' }
    : outcome;
}

/** The endpoint's answer: the failure injected into it, or what the route made. */
function runEndpoint(ctx: SandboxContext, call: ApiCall, fault: FaultKind | undefined): Reply {
  if (fault === 'http500') return json(500, { error: apiError().body });
  if (fault === 'card_error') return json(402, { error: cardDeclined().body });
  const result = route(ctx, call);
  return json(result.status, result.value);
}

function route(ctx: SandboxContext, call: ApiCall): ApiResult {
  const { method, path } = call;
  if (path === SESSIONS && method === 'POST') {
    const input = parseCreateSession(decodeForm(call.body), ctx.clock.nowSeconds());
    const state = ctx.sessions.create(input, call.apiVersion);
    return { status: 200, value: ctx.sessionObject(state) };
  }
  if (path === SESSIONS && method === 'GET') return { status: 200, value: listSessions(ctx, call) };
  const retrieve = SESSION.exec(path);
  if (retrieve && method === 'GET') {
    refuseExpansions(call.query);
    return { status: 200, value: ctx.sessionObject(findSession(ctx, retrieve[1]!)) };
  }
  const expire = SESSION_EXPIRE.exec(path);
  if (expire && method === 'POST') {
    refuseExpansions(call.body);
    const state = findSession(ctx, expire[1]!);
    if (!ctx.sessions.expire(state, call.request)) {
      throw invalidRequest(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${state.status}".`,
      );
    }
    return { status: 200, value: ctx.sessionObject(state) };
  }
  if (path === REFUNDS && method === 'GET') return { status: 200, value: listRefunds(ctx, call) };
  if (path === REFUNDS && method === 'POST') {
    const params = validateParams(decodeForm(call.body), REFUND_CREATE_PARAMS) as RawRefundParams;
    refuseExpand(params.expand);
    const refund = ctx.charges.refund(refundedCharge(ctx, params), params, call.request);
    return { status: 200, value: ctx.refundObject(refund) };
  }
  const refund = REFUND.exec(path);
  if (refund && method === 'GET') {
    refuseExpansions(call.query);
    return { status: 200, value: ctx.refundObject(findRefund(ctx, refund[1]!)) };
  }
  const charge = CHARGE.exec(path);
  if (charge && method === 'GET') {
    refuseExpansions(call.query);
    const id = decodeURIComponent(charge[1]!);
    const found = ctx.charges.get(id);
    if (!found) throw resourceMissing('charge', id, 'id');
    return { status: 200, value: ctx.chargeObject(found) };
  }
  if (path === DISPUTES && method === 'GET') return { status: 200, value: listDisputes(ctx, call) };
  const dispute = DISPUTE.exec(path);
  if (dispute && method === 'GET') {
    refuseExpansions(call.query);
    return { status: 200, value: ctx.disputeObject(findDispute(ctx, dispute[1]!)) };
  }
  const close = DISPUTE_CLOSE.exec(path);
  if (close && method === 'POST') {
    refuseExpansions(call.body);
    const found = findDispute(ctx, close[1]!);
    // The merchant gives up: a chargeback is lost, an inquiry closed without one.
    ctx.charges.closeDispute(found, found.inquiry ? 'warning_closed' : 'lost', call.request);
    return { status: 200, value: ctx.disputeObject(found) };
  }
  throw unrecognizedUrl(method, path);
}

function listSessions(ctx: SandboxContext, call: ApiCall) {
  const params = validateParams(
    decodeForm(call.query),
    CHECKOUT_SESSION_LIST_PARAMS,
  ) as RawListParams;
  refuseExpand(params.expand);
  const newestFirst = ctx.sessions
    .all()
    .reverse()
    .filter((state) => !params.payment_intent || state.paymentIntent === params.payment_intent);
  return listPage(newestFirst, params, 'checkout.session', SESSIONS, ctx.sessionObject);
}

/** A charge's or payment intent's refunds (or all), newest first, as Stripe pages them. */
function listRefunds(ctx: SandboxContext, call: ApiCall) {
  const params = validateParams(decodeForm(call.query), REFUND_LIST_PARAMS) as RawRefundListParams;
  refuseExpand(params.expand);
  const newestFirst = ctx.charges
    .refunds()
    .reverse()
    .filter(
      (refund) =>
        (!params.charge || refund.charge.id === params.charge) &&
        (!params.payment_intent || refund.charge.paymentIntent === params.payment_intent),
    );
  return listPage(newestFirst, params, 'refund', REFUNDS, ctx.refundObject);
}

/** A charge's or payment intent's dispute (or all), newest first. */
function listDisputes(ctx: SandboxContext, call: ApiCall) {
  const params = validateParams(
    decodeForm(call.query),
    DISPUTE_LIST_PARAMS,
  ) as RawDisputeListParams;
  refuseExpand(params.expand);
  const newestFirst = ctx.charges
    .disputes()
    .reverse()
    .filter(
      (dispute) =>
        (!params.charge || dispute.charge.id === params.charge) &&
        (!params.payment_intent || dispute.charge.paymentIntent === params.payment_intent),
    );
  return listPage(newestFirst, params, 'dispute', DISPUTES, ctx.disputeObject);
}

/** One page of a Stripe list, newest first: `limit` (default 10) after `starting_after`, which must be one of them. */
function listPage<T extends { id: string }, O>(
  newestFirst: T[],
  params: { limit?: number; starting_after?: string },
  resource: string,
  url: string,
  toObject: (item: T) => O,
) {
  let start = 0;
  if (params.starting_after) {
    const index = newestFirst.findIndex((item) => item.id === params.starting_after);
    if (index < 0) throw resourceMissing(resource, params.starting_after, 'starting_after');
    start = index + 1;
  }
  const limit = params.limit ?? 10;
  return {
    object: 'list',
    data: newestFirst.slice(start, start + limit).map(toObject),
    has_more: start + limit < newestFirst.length,
    url,
  };
}

/** The charge a refund is for, named by its payment intent (or, as Stripe also takes, by id). */
function refundedCharge(ctx: SandboxContext, params: RawRefundParams): ChargeState {
  if (params.payment_intent && params.charge) {
    throw invalidRequest(
      'You may only specify one of these parameters: charge, payment_intent.',
      'payment_intent',
    );
  }
  if (params.charge) {
    const charge = ctx.charges.get(params.charge);
    if (!charge) throw resourceMissing('charge', params.charge, 'charge');
    return charge;
  }
  if (!params.payment_intent) {
    throw invalidRequest(
      'Missing required param: payment_intent.',
      'payment_intent',
      'parameter_missing',
    );
  }
  const session = ctx.sessions.byPaymentIntent(params.payment_intent);
  if (!session) throw resourceMissing('payment_intent', params.payment_intent, 'payment_intent');
  const charge = ctx.charges.forSession(session.id);
  if (!charge) {
    throw invalidRequest(
      `This PaymentIntent (${params.payment_intent}) does not have a successful charge to refund.`,
      'payment_intent',
    );
  }
  return charge;
}

function findRefund(ctx: SandboxContext, encodedId: string): RefundState {
  const id = decodeURIComponent(encodedId);
  const refund = ctx.charges.getRefund(id);
  if (!refund) throw resourceMissing('refund', id, 'id');
  return refund;
}

function findDispute(ctx: SandboxContext, encodedId: string): DisputeState {
  const id = decodeURIComponent(encodedId);
  const dispute = ctx.charges.getDispute(id);
  if (!dispute) throw resourceMissing('dispute', id, 'dispute');
  return dispute;
}

function findSession(ctx: SandboxContext, encodedId: string): SessionState {
  const id = decodeURIComponent(encodedId);
  const state = ctx.sessions.get(id);
  if (!state) throw resourceMissing('checkout.session', id, 'session');
  return state;
}

function refuseExpansions(form: string): void {
  refuseExpand(validateParams(decodeForm(form), EXPAND_ONLY).expand as string[] | undefined);
}

/** The sandbox's objects have nothing to expand (their ids stay ids). */
function refuseExpand(expand: string[] | undefined): void {
  if (expand && expand.length > 0) {
    throw invalidRequest(`This property cannot be expanded (${String(expand[0])}).`, 'expand');
  }
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}
