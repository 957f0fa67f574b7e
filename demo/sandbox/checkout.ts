import type { SandboxContext } from './context';
import { evaluatePayment, type PaymentAttempt, type PaymentField } from './payments';

/** The hosted page's form fields, by their `name`; `sandbox.pay` fills the same ones. */
export interface PaymentForm {
  method?: string;
  email?: string;
  card_number?: string;
  card_expiry?: string;
  card_cvc?: string;
  iban?: string;
}

export type PaymentResult =
  | { outcome: 'redirect'; redirectUrl: string }
  | { outcome: 'declined'; message: string }
  | { outcome: 'invalid'; field: PaymentField; message: string }
  | { outcome: 'unavailable'; message: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Submitting the hosted payment page: the one way a session gets paid. */
export function submitPayment(
  ctx: Pick<SandboxContext, 'sessions' | 'clock' | 'log'>,
  sessionId: string,
  form: PaymentForm,
): PaymentResult {
  const result = attemptPayment(ctx, sessionId, form);
  // Logs say what happened, never what was typed: no card numbers, no IBANs.
  ctx.log(`payment on ${sessionId} (${form.method ?? 'no method'}) -> ${result.outcome}`);
  return result;
}

function attemptPayment(
  { sessions, clock }: Pick<SandboxContext, 'sessions' | 'clock'>,
  sessionId: string,
  form: PaymentForm,
): PaymentResult {
  const state = sessions.get(sessionId);
  if (!state)
    return { outcome: 'unavailable', message: `No such checkout.session: '${sessionId}'` };
  if (state.status !== 'open') {
    return { outcome: 'unavailable', message: `This Checkout Session is ${state.status}.` };
  }
  const email = state.input.customerEmail ?? form.email?.trim() ?? '';
  if (!EMAIL.test(email)) {
    return { outcome: 'invalid', field: 'email', message: 'Your email address is invalid.' };
  }
  const attempt = toAttempt(form);
  if (!attempt || !state.input.paymentMethodTypes.includes(attempt.method)) {
    return { outcome: 'invalid', field: 'method', message: 'Choose a payment method.' };
  }
  const outcome = evaluatePayment(attempt, new Date(clock.nowMs()));
  switch (outcome.kind) {
    case 'invalid':
      return { outcome: 'invalid', field: outcome.field, message: outcome.message };
    case 'declined':
      // Stripe Checkout keeps the session open after a decline so the shopper can retry.
      return { outcome: 'declined', message: outcome.message };
    case 'accepted':
      sessions.complete(state, email, outcome.settlement);
      return {
        outcome: 'redirect',
        redirectUrl: state.input.successUrl.replaceAll('{CHECKOUT_SESSION_ID}', state.id),
      };
    default: {
      const exhaustive: never = outcome;
      return exhaustive;
    }
  }
}

function toAttempt(form: PaymentForm): PaymentAttempt | null {
  if (form.method === 'card') {
    return {
      method: 'card',
      number: form.card_number ?? '',
      expiry: form.card_expiry ?? '',
      cvc: form.card_cvc ?? '',
    };
  }
  if (form.method === 'sepa_debit') return { method: 'sepa_debit', iban: form.iban ?? '' };
  return null;
}
