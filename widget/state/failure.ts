/**
 * Why a call failed, in the terms the cart acts on: fix lines, fix a field, try again later,
 * or the connection is down (and worth retrying by itself). `message` is the server's
 * English, for the site owner's `stripe-cart:error` listener; shoppers read `failureText`.
 */
import type { MessageKey } from '../i18n';
import type { LineProblem } from './problems';
import { isLineProblem } from './problems';

export type Failure =
  | { kind: 'refused'; problems: LineProblem[]; message: string }
  | { kind: 'invalid'; paths: string[]; message: string }
  /** Stripe or the shop is in trouble. */
  | { kind: 'unavailable'; message: string }
  /** The server's per-address limit on checkouts (HTTP 429, before tRPC): only waiting helps. */
  | { kind: 'limited'; message: string }
  /** This shopper's (or address's) unpaid checkouts already hold as much stock as one may. */
  | { kind: 'held'; message: string }
  /** The whole cart is below the smallest card payment Stripe takes. */
  | { kind: 'too_small'; message: string }
  /** This checkout already ended (e.g. a resent request after the session expired). */
  | { kind: 'conflict'; message: string }
  | { kind: 'network'; message: string }
  | { kind: 'unknown'; message: string };

export const failureText: Record<Failure['kind'], MessageKey> = {
  refused: 'refused',
  invalid: 'failed',
  unavailable: 'paymentDown',
  limited: 'limited',
  held: 'held',
  too_small: 'tooSmall',
  conflict: 'conflict',
  network: 'network',
  unknown: 'failed',
};

interface ErrorLike {
  message?: unknown;
  data?: unknown;
  /** TRPCClientError's: the HTTP response, when one came (tRPC's or not). */
  meta?: { response?: { status?: unknown } };
}

export function classifyFailure(error: unknown): Failure {
  const {
    message: rawMessage,
    data,
    meta,
  } = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const message = typeof rawMessage === 'string' ? rawMessage : String(error);
  if (typeof data !== 'object' || data === null) {
    // No tRPC `data`: an HTTP status means the server refused before tRPC ran (the rate
    // limiter answers in Fastify's own shape); no status, that the request never completed.
    const status = meta?.response?.status;
    return { kind: status === 429 ? 'limited' : status ? 'unknown' : 'network', message };
  }
  const { code, problems, issues } = data as Record<string, unknown>;
  switch (code) {
    case 'BAD_REQUEST': {
      if (Array.isArray(problems) && problems.some((p) => p?.code === 'amount_too_small')) {
        return { kind: 'too_small', message };
      }
      if (Array.isArray(problems) && problems.length > 0) {
        return { kind: 'refused', problems: problems.filter(isLineProblem), message };
      }
      const paths = Array.isArray(issues)
        ? issues.map((i) => String((i as { path?: unknown } | null)?.path))
        : [];
      return { kind: 'invalid', paths, message };
    }
    case 'BAD_GATEWAY':
    case 'SERVICE_UNAVAILABLE':
    case 'GATEWAY_TIMEOUT':
      return { kind: 'unavailable', message };
    case 'TOO_MANY_REQUESTS':
      return { kind: 'held', message };
    case 'CONFLICT':
      return { kind: 'conflict', message };
    default:
      return { kind: 'unknown', message };
  }
}

export interface RetryOptions {
  /** Waits before each retry; its length is the number of retries. */
  delaysMs: readonly number[];
  wait?: (ms: number) => Promise<void>;
  onRetry?: (attempt: number, failure: Failure) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` again while the connection fails. Safe for checkout.start because the same
 * checkoutId is sent each time: the server answers a repeat with the same order.
 */
export async function retryOnNetwork<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.wait ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const failure = classifyFailure(error);
      const delay = options.delaysMs[attempt];
      if (failure.kind !== 'network' || delay === undefined) throw error;
      options.onRetry?.(attempt + 1, failure);
      await wait(delay);
    }
  }
}
