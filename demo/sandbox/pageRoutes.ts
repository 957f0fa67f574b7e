import type { IncomingMessage, ServerResponse } from 'node:http';
import { type PaymentForm, submitPayment } from './checkout';
import type { SandboxContext } from './context';
import { send } from './http';
import { renderPaymentPage, renderStatusPage } from './page';

const PAY = /^\/pay\/([^/]+)$/;
const FORM_FIELDS = ['method', 'email', 'card_number', 'card_expiry', 'card_cvc', 'iban'] as const;
const PAGE_HEADERS = {
  // Nothing but the page's own inline styles and the merchant's product images.
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

type PageOutcome = { status: number; page: string } | { redirect: string };

/** The hosted payment page at `/pay/:sessionId`, as a plain HTML form (no script). */
export function handlePage(
  ctx: SandboxContext,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  body: string,
): void {
  const outcome = decide(ctx, request.method ?? 'GET', url, body);
  if ('redirect' in outcome) {
    response.writeHead(303, { location: outcome.redirect, 'cache-control': 'no-store' });
    response.end();
  } else {
    send(response, outcome.status, 'text/html; charset=utf-8', outcome.page, PAGE_HEADERS);
  }
}

function decide(ctx: SandboxContext, method: string, url: URL, body: string): PageOutcome {
  const match = PAY.exec(url.pathname);
  const state = match ? ctx.sessions.get(decodeURIComponent(match[1]!)) : undefined;
  if (!state || (method !== 'GET' && method !== 'POST')) {
    return { status: 404, page: renderStatusPage(undefined) };
  }
  if (state.status !== 'open') return { status: 200, page: renderStatusPage(state) };
  if (method === 'GET') return { status: 200, page: renderPaymentPage(state) };

  const form = readPaymentForm(body);
  const result = submitPayment(ctx, state.id, form);
  switch (result.outcome) {
    case 'redirect':
      return { redirect: result.redirectUrl };
    case 'declined':
      return { status: 402, page: renderPaymentPage(state, form, { message: result.message }) };
    case 'invalid':
      return { status: 400, page: renderPaymentPage(state, form, result) };
    case 'unavailable':
      return { status: 409, page: renderStatusPage(state) };
    default: {
      const exhaustive: never = result;
      return exhaustive;
    }
  }
}

function readPaymentForm(body: string): PaymentForm {
  const params = new URLSearchParams(body);
  const form: PaymentForm = {};
  for (const field of FORM_FIELDS) {
    const value = params.get(field);
    if (value !== null) form[field] = value;
  }
  return form;
}
