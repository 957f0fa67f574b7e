import { isPaymentCurrency } from '../../server/catalog/price-rules';
import { MAX_AMOUNT } from '../../server/domain/events';
import { minimumCharge } from '../../server/payments/stripe-limits';
import { minorUnitDigits } from '../../widget/state/currency';
import { CHECKOUT_SESSION_CREATE_PARAMS, type RawCreateParams } from './checkoutParams';
import { invalidRequest } from './errors';
import type { FormRecord } from './forms';
import { formatMoney } from './money';
import { validateParams } from './params';

type SandboxPaymentMethodType = 'card' | 'sepa_debit';

interface LineItemInput {
  name: string;
  description: string | null;
  images: string[];
  unitAmount: number;
  quantity: number;
}

/** A validated request to create a Checkout Session, in the sandbox's own terms. */
export interface CreateSessionInput {
  lineItems: LineItemInput[];
  currency: string;
  amountTotal: number;
  customerEmail: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  expiresAt: number;
  successUrl: string;
  cancelUrl: string | null;
  locale: string | null;
  paymentMethodTypes: SandboxPaymentMethodType[];
}

const MIN_EXPIRY_S = 30 * 60;
const MAX_EXPIRY_S = 24 * 60 * 60;
// Absorbs the time between the caller computing `now + 30 min` and this check running.
const EXPIRY_SLACK_S = 10;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseCreateSession(form: FormRecord, nowSeconds: number): CreateSessionInput {
  // validateParams guarantees the shape described by RawCreateParams.
  const raw = validateParams(form, CHECKOUT_SESSION_CREATE_PARAMS) as unknown as RawCreateParams;

  if (raw.mode !== 'payment') {
    throw invalidRequest('The local Stripe sandbox supports only `mode=payment`.', 'mode');
  }
  const currency = checkCurrencies(raw);
  const lineItems = raw.line_items.map((line, index): LineItemInput => {
    const images = line.price_data.product_data.images ?? [];
    images.forEach((image, i) => {
      checkUrl(image, `line_items[${index}][price_data][product_data][images][${i}]`);
    });
    // As Stripe: the three-decimal currencies are taken to two decimals only.
    if (minorUnitDigits(currency) === 3 && line.price_data.unit_amount % 10 !== 0) {
      throw invalidRequest(
        `Invalid unit_amount: ${currency} amounts must be a multiple of 10.`,
        `line_items[${index}][price_data][unit_amount]`,
      );
    }
    // As Stripe since 2023: no fractional krónur.
    if (currency === 'isk' && line.price_data.unit_amount % 100 !== 0) {
      throw invalidRequest(
        'Invalid unit_amount: isk amounts must be evenly divisible by 100.',
        `line_items[${index}][price_data][unit_amount]`,
        'invalid_charge_amount_no_decimal_compatible',
      );
    }
    return {
      name: line.price_data.product_data.name,
      description: line.price_data.product_data.description ?? null,
      images,
      unitAmount: line.price_data.unit_amount,
      quantity: line.quantity,
    };
  });
  const amountTotal = lineItems.reduce((sum, line) => sum + line.unitAmount * line.quantity, 0);
  const minimum = minimumCharge(currency);
  if (amountTotal < minimum) {
    throw invalidRequest(
      `The Checkout Session's total amount due must add up to at least ${formatMoney(minimum, currency, 'en')} ${currency}`,
      undefined,
      'amount_too_small',
    );
  }
  if (amountTotal > MAX_AMOUNT) {
    throw invalidRequest(
      `The Checkout Session's total amount due must be no more than ${formatMoney(MAX_AMOUNT, currency, 'en')} ${currency}`,
      undefined,
      'amount_too_large',
    );
  }
  checkUrl(raw.success_url, 'success_url');
  if (raw.cancel_url !== undefined) checkUrl(raw.cancel_url, 'cancel_url');
  if (raw.customer_email !== undefined && !EMAIL.test(raw.customer_email)) {
    throw invalidRequest(
      `Invalid email address: ${raw.customer_email}`,
      'customer_email',
      'email_invalid',
    );
  }
  const metadata = raw.metadata ?? {};
  checkMetadata(metadata);
  const expansion = raw.expand?.[0];
  if (expansion !== undefined) {
    throw invalidRequest(`This property cannot be expanded (${expansion}).`, 'expand');
  }

  return {
    lineItems,
    currency,
    amountTotal,
    customerEmail: raw.customer_email ?? null,
    clientReferenceId: raw.client_reference_id ?? null,
    metadata,
    expiresAt: checkExpiry(raw.expires_at, nowSeconds),
    successUrl: raw.success_url,
    cancelUrl: raw.cancel_url ?? null,
    locale: raw.locale ?? null,
    paymentMethodTypes: choosePaymentMethodTypes(raw, currency),
  };
}

function checkCurrencies(raw: RawCreateParams): string {
  let sessionCurrency: string | undefined;
  raw.line_items.forEach((line, index) => {
    const param = `line_items[${index}][price_data][currency]`;
    const currency = line.price_data.currency.toLowerCase();
    if (!isPaymentCurrency(currency)) throw invalidRequest(`Invalid currency: ${currency}.`, param);
    sessionCurrency ??= currency;
    if (currency !== sessionCurrency) {
      throw invalidRequest(
        'All line items in a Checkout Session must use the same currency.',
        param,
      );
    }
  });
  return sessionCurrency!;
}

function checkUrl(value: string, param: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalidRequest('Not a valid URL', param, 'url_invalid');
  }
}

function checkMetadata(metadata: Record<string, string>): void {
  const keys = Object.keys(metadata);
  if (keys.length > 50) {
    throw invalidRequest(
      `Invalid metadata: metadata can have up to 50 keys, but you passed in ${keys.length} keys.`,
      'metadata',
    );
  }
  const longKey = keys.find((key) => key.length > 40);
  if (longKey !== undefined) {
    throw invalidRequest(
      `Metadata keys can have up to 40 characters, but you passed in a key that is ${longKey.length} characters. Invalid key: ${longKey}`,
      `metadata[${longKey}]`,
    );
  }
}

function checkExpiry(expiresAt: number | undefined, now: number): number {
  if (expiresAt === undefined) return now + MAX_EXPIRY_S;
  if (expiresAt < now + MIN_EXPIRY_S - EXPIRY_SLACK_S) {
    throw invalidRequest(
      'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
      'expires_at',
    );
  }
  if (expiresAt > now + MAX_EXPIRY_S + EXPIRY_SLACK_S) {
    throw invalidRequest(
      'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
      'expires_at',
    );
  }
  return expiresAt;
}

function choosePaymentMethodTypes(
  raw: RawCreateParams,
  currency: string,
): SandboxPaymentMethodType[] {
  const usable = (type: string): type is SandboxPaymentMethodType =>
    type === 'card' || (type === 'sepa_debit' && currency === 'eur');
  const { payment_method_types: listed, allowed_payment_method_types: allowed } = raw;
  if (listed && allowed) {
    throw invalidRequest(
      'You may only specify one of these parameters: allowed_payment_method_types, payment_method_types.',
      'allowed_payment_method_types',
      'parameters_exclusive',
    );
  }
  if (allowed) {
    // A filter on what the account offers, so types the sandbox lacks are simply not shown.
    const offered = allowed.filter(usable);
    if (offered.length === 0) {
      throw invalidRequest(
        `None of allowed_payment_method_types can be offered in ${currency} by the local Stripe sandbox, which takes card, and sepa_debit in eur.`,
        'allowed_payment_method_types',
      );
    }
    return [...new Set(offered)];
  }
  if (!listed) return currency === 'eur' ? ['card', 'sepa_debit'] : ['card'];
  return listed.map((type, index): SandboxPaymentMethodType => {
    const param = `payment_method_types[${index}]`;
    if (type !== 'card' && type !== 'sepa_debit') {
      throw invalidRequest(
        `The local Stripe sandbox supports only the card and sepa_debit payment method types, not ${type}.`,
        param,
      );
    }
    if (!usable(type)) {
      throw invalidRequest(
        `The currency provided (${currency}) is invalid for one or more payment method types on this Checkout Session. Payment methods that support ${currency}: card.`,
        param,
      );
    }
    return type;
  });
}
