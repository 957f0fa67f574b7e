/** Stripe's v1 error body: `{ error: { type, code?, param?, message, ... } }`. */
type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
}

/** An API refusal carried up to the router, which turns it into Stripe's JSON and status. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: StripeErrorBody;

  constructor(status: number, body: StripeErrorBody) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;
}

export function invalidRequest(message: string, param?: string, code?: string): ApiError {
  return new ApiError(400, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...(param ? { param } : {}),
  });
}

export function resourceMissing(object: string, id: string, param: string): ApiError {
  return new ApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${object}: '${id}'`,
    param,
  });
}

export function unrecognizedUrl(method: string, path: string): ApiError {
  return new ApiError(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}

/** Stripe answers 401 with an invalid_request_error and shows only the key's last four characters. */
export function authenticationFailed(presentedKey: string | undefined): ApiError {
  const message =
    presentedKey === undefined
      ? "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
      : `Invalid API Key provided: ${maskKey(presentedKey)}`;
  return new ApiError(401, { type: 'invalid_request_error', message });
}

function maskKey(key: string): string {
  const prefix = key.startsWith('sk_test_')
    ? 'sk_test_'
    : key.startsWith('sk_live_')
      ? 'sk_live_'
      : '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

export function idempotencyMismatch(key: string): ApiError {
  return new ApiError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  });
}

export function idempotencyInProgress(): ApiError {
  return new ApiError(409, {
    type: 'idempotency_error',
    message:
      'There is currently another in-progress request using this Stripe API key and idempotency key. Please try again later.',
  });
}

export function apiError(): ApiError {
  return new ApiError(500, {
    type: 'api_error',
    message: 'An unknown error occurred',
  });
}

export function cardDeclined(): ApiError {
  return new ApiError(402, {
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'generic_decline',
    doc_url: docUrl('card_declined'),
    message: 'Your card was declined.',
  });
}
