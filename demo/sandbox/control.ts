import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { DISPUTE_REASONS } from './disputeParams';
import { ApiError } from './errors';
import { FAULT_KINDS } from './faults';
import { bearerToken, sameSecret, sendJson } from './http';
import { REFUND_FAILURE_REASONS } from './refundParams';
import type { Sandbox } from './types';

const payBody = z.union([
  z
    .object({
      card: z.string(),
      expiry: z.string().optional(),
      cvc: z.string().optional(),
      email: z.string().optional(),
    })
    .strict(),
  z.object({ iban: z.string(), email: z.string().optional() }).strict(),
]);
const refundBody = z.object({ amount: z.number().optional() }).strict();
const failRefundBody = z.object({ reason: z.enum(REFUND_FAILURE_REASONS).optional() }).strict();
const disputeBody = z
  .object({
    amount: z.number().optional(),
    reason: z.enum(DISPUTE_REASONS).optional(),
    inquiry: z.boolean().optional(),
  })
  .strict();
const closeDisputeBody = z.object({ outcome: z.enum(['won', 'lost', 'warning_closed']) }).strict();
const eventBody = z.object({ type: z.string().min(1) }).strict();
const deliveryBody = z
  .object({
    duplicates: z.number().int().optional(),
    delayMs: z.number().optional(),
    reorder: z.boolean().optional(),
  })
  .strict();
const failBody = z
  .object({ kind: z.enum(FAULT_KINDS), count: z.number().int().min(1).optional() })
  .strict();
const webhookUrlBody = z.object({ url: z.string().url().nullable() }).strict();
const clockBody = z
  .object({ advanceMs: z.number().min(0), expireDue: z.boolean().optional() })
  .strict();

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (match: RegExpExecArray, body: unknown) => unknown;

/**
 * `/_sandbox/*`: the programmatic API over HTTP (JSON in and out), so a test or script in
 * another process can drive the sandbox. Guarded by the same secret key as the Stripe API.
 */
export function createControlHandler(sandbox: Sandbox, secretKey: string) {
  const session = (id: string) => {
    const found = sandbox.session(id);
    if (!found) throw new ControlError(404, `No such checkout.session: '${id}'`);
    return found;
  };
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/_sandbox\/sessions$/, () => sandbox.sessions()],
    ['GET', /^\/_sandbox\/sessions\/([^/]+)$/, (m) => session(m[1]!)],
    [
      'POST',
      /^\/_sandbox\/sessions\/([^/]+)\/pay$/,
      (m, body) => {
        session(m[1]!);
        // No body: the default card, as sandbox.pay(id) does.
        return sandbox.pay(m[1]!, payBody.optional().parse(body));
      },
    ],
    [
      'POST',
      /^\/_sandbox\/sessions\/([^/]+)\/expire$/,
      (m) => {
        session(m[1]!);
        return sandbox.expire(m[1]!);
      },
    ],
    [
      'POST',
      /^\/_sandbox\/sessions\/([^/]+)\/settle$/,
      (m) => {
        session(m[1]!);
        return { settled: sandbox.settle(m[1]!) };
      },
    ],
    [
      'POST',
      /^\/_sandbox\/sessions\/([^/]+)\/refund$/,
      (m, body) => {
        session(m[1]!);
        // No body: all that is still unrefunded, as sandbox.refund(id) does.
        return sandbox.refund(m[1]!, refundBody.optional().parse(body)?.amount);
      },
    ],
    [
      'POST',
      /^\/_sandbox\/refunds\/([^/]+)\/fail$/,
      // No body: the default reason, as sandbox.failRefund(id) does.
      (m, body) => sandbox.failRefund(m[1]!, failRefundBody.optional().parse(body)?.reason),
    ],
    [
      'POST',
      /^\/_sandbox\/sessions\/([^/]+)\/dispute$/,
      (m, body) => {
        session(m[1]!);
        // No body: a chargeback for fraud of all that is still unrefunded.
        return sandbox.dispute(m[1]!, disputeBody.optional().parse(body));
      },
    ],
    [
      'POST',
      /^\/_sandbox\/disputes\/([^/]+)\/close$/,
      (m, body) => sandbox.closeDispute(m[1]!, closeDisputeBody.parse(body).outcome),
    ],
    [
      'POST',
      /^\/_sandbox\/sessions\/([^/]+)\/events$/,
      (m, body) => {
        session(m[1]!);
        return sandbox.sendEvent(eventBody.parse(body).type, m[1]!);
      },
    ],
    ['GET', /^\/_sandbox\/events$/, () => sandbox.events()],
    [
      'POST',
      /^\/_sandbox\/events\/([^/]+)\/resend$/,
      (m) => {
        sandbox.resend(m[1]!);
        return { resent: m[1] };
      },
    ],
    ['GET', /^\/_sandbox\/deliveries$/, () => sandbox.deliveries()],
    [
      'POST',
      /^\/_sandbox\/delivery$/,
      (_m, body) => {
        sandbox.setDelivery(deliveryBody.parse(body));
        return { ok: true };
      },
    ],
    ['POST', /^\/_sandbox\/flush$/, () => ({ released: sandbox.flush() })],
    [
      'POST',
      /^\/_sandbox\/idle$/,
      async () => {
        await sandbox.idle();
        return { idle: true };
      },
    ],
    [
      'POST',
      /^\/_sandbox\/fail$/,
      (_m, body) => {
        const { kind, count } = failBody.parse(body);
        sandbox.failNext(kind, count);
        return { ok: true };
      },
    ],
    [
      'POST',
      /^\/_sandbox\/webhook-url$/,
      (_m, body) => {
        sandbox.setWebhookUrl(webhookUrlBody.parse(body).url ?? undefined);
        return { ok: true };
      },
    ],
    [
      'POST',
      /^\/_sandbox\/clock$/,
      (_m, body) => {
        const { advanceMs, expireDue } = clockBody.parse(body);
        sandbox.advanceClock(advanceMs, expireDue === undefined ? {} : { expireDue });
        return { ok: true };
      },
    ],
  ];

  return async (request: IncomingMessage, response: ServerResponse, url: URL, rawBody: string) => {
    const presented = bearerToken(request);
    if (presented === undefined || !sameSecret(presented, secretKey)) {
      return sendJson(response, 401, {
        error: 'Authorization: Bearer <sandbox secret key> required',
      });
    }
    const route = routes.find(
      ([method, pattern]) => method === request.method && pattern.test(url.pathname),
    );
    if (!route)
      return sendJson(response, 404, { error: `No route ${request.method} ${url.pathname}` });
    try {
      const body: unknown = rawBody === '' ? undefined : JSON.parse(rawBody);
      const match = route[1].exec(url.pathname)!;
      sendJson(response, 200, await route[2](match, body));
    } catch (error) {
      // An ApiError carries its own status: 404 for an unknown dispute or refund, as the API
      // answers.
      const status =
        error instanceof ControlError || error instanceof ApiError ? error.status : 400;
      sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
