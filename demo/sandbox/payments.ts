import type { Settlement } from './sessions';

/** What the shopper typed on the hosted page (or what `sandbox.pay` types for them). */
export type PaymentAttempt =
  | { method: 'card'; number: string; expiry: string; cvc: string }
  | { method: 'sepa_debit'; iban: string };

export type PaymentField = 'email' | 'method' | 'card_number' | 'card_expiry' | 'card_cvc' | 'iban';

export type PaymentOutcome =
  | { kind: 'accepted'; settlement: Settlement }
  | { kind: 'declined'; message: string }
  | { kind: 'invalid'; field: PaymentField; message: string };

/** Stripe's test cards (https://docs.stripe.com/testing) that the sandbox knows. */
const CARD_OUTCOMES: Readonly<Record<string, string | null>> = {
  '4242424242424242': null,
  '4000056655665556': null,
  '5555555555554444': null,
  '2223003122003222': null,
  '378282246310005': null,
  '4000000000000002': 'Your card was declined.',
  '4000000000009995': 'Your card has insufficient funds.',
  '4000000000000069': 'Your card has expired.',
  '4000000000000127': "Your card's security code is incorrect.",
};

/** Stripe's SEPA test IBANs whose debit fails a few days later; any other valid IBAN succeeds. */
const FAILING_IBANS = new Set(['DE62370400440532013001', 'AT861904300235473202']);

export function evaluatePayment(attempt: PaymentAttempt, now: Date): PaymentOutcome {
  return attempt.method === 'card' ? evaluateCard(attempt, now) : evaluateIban(attempt.iban);
}

function evaluateCard(
  card: Extract<PaymentAttempt, { method: 'card' }>,
  now: Date,
): PaymentOutcome {
  const number = card.number.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(number) || number.length < 13) {
    return invalid('card_number', 'Your card number is incomplete.');
  }
  if (!passesLuhn(number)) return invalid('card_number', 'Your card number is invalid.');
  const expiryProblem = checkExpiry(card.expiry, now);
  if (expiryProblem) return invalid('card_expiry', expiryProblem);
  const cvcLength = number.startsWith('34') || number.startsWith('37') ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(card.cvc.trim())) {
    return invalid('card_cvc', "Your card's security code is incomplete.");
  }
  if (!Object.hasOwn(CARD_OUTCOMES, number)) {
    return {
      kind: 'declined',
      message:
        'Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
    };
  }
  const decline = CARD_OUTCOMES[number];
  return decline
    ? { kind: 'declined', message: decline }
    : { kind: 'accepted', settlement: 'paid' };
}

function checkExpiry(expiry: string, now: Date): string | null {
  const match = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(expiry);
  if (!match) return "Your card's expiration date is incomplete.";
  const month = Number(match[1]);
  const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) return "Your card's expiration date is invalid.";
  if (year < now.getUTCFullYear()) return "Your card's expiration year is in the past.";
  if (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1) {
    return "Your card's expiration date is in the past.";
  }
  return null;
}

function evaluateIban(raw: string): PaymentOutcome {
  const iban = raw.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban) || !passesMod97(iban)) {
    return invalid('iban', 'Your IBAN is invalid.');
  }
  return { kind: 'accepted', settlement: FAILING_IBANS.has(iban) ? 'later_failed' : 'later_paid' };
}

function invalid(field: PaymentField, message: string): PaymentOutcome {
  return { kind: 'invalid', field, message };
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function passesMod97(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}
