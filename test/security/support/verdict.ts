/**
 * What every hostile request must get back: a 4xx (never a 5xx) in JSON with a message
 * a person can act on, whichever layer refused it (tRPC, Fastify, the webhook route),
 * or, for a subscription, an event stream whose errors are client errors.
 */
import type { RawResponse } from './http';

interface ErrorShape {
  message?: unknown;
  error?: unknown;
  data?: { httpStatus?: unknown };
}

/** The message(s) in a JSON error body, for any of the server's error shapes. */
function messagesOf(body: unknown): string[] {
  const items = Array.isArray(body) ? body : [body];
  return items.flatMap((item: ErrorShape) => {
    if (item === null || typeof item !== 'object') return [];
    const error = item.error as ErrorShape | string | undefined;
    if (typeof error === 'string') return [error];
    if (error && typeof error.message === 'string') return [error.message];
    if (typeof item.message === 'string') return [item.message];
    return [];
  });
}

/** Statuses carried inside a body: batch entries and SSE `serialized-error` events. */
function innerStatuses(response: RawResponse): number[] {
  const statuses: number[] = [];
  const collect = (value: unknown) => {
    for (const item of Array.isArray(value) ? value : [value]) {
      const status = (item as { error?: ErrorShape } | null)?.error?.data?.httpStatus;
      if (typeof status === 'number') statuses.push(status);
    }
  };
  if (isEventStream(response)) {
    for (const data of sseErrors(response)) {
      const status = (data as ErrorShape).data?.httpStatus;
      if (typeof status === 'number') statuses.push(status);
    }
  } else {
    collect(parseJson(response.text));
  }
  return statuses;
}

const isEventStream = (response: RawResponse) =>
  String(response.headers['content-type'] ?? '').startsWith('text/event-stream');

/** The data of every `serialized-error` event in an SSE body. */
export function sseErrors(response: RawResponse): unknown[] {
  return response.text
    .split('\n\n')
    .filter((block) => block.includes('event: serialized-error'))
    .map((block) => parseJson(block.replace(/^[\s\S]*?data: /, '')));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Why the response is not an acceptable refusal (or acceptance) of hostile input,
 * or undefined when it is. Returned, not thrown, so fast-check shrinks to the input.
 */
export function verdict(
  response: RawResponse,
  options: { allowOk?: boolean } = {},
): string | undefined {
  const where = `status ${response.status}: ${response.text.slice(0, 300)}`;
  if (response.status >= 500) return `server error, ${where}`;
  const inner = innerStatuses(response).filter((s) => s >= 500);
  if (inner.length > 0) return `server error inside the body (${inner.join(',')}), ${where}`;
  if (isEventStream(response)) return undefined;
  if (response.status < 400) {
    return options.allowOk || response.status === 207 ? undefined : `accepted, ${where}`;
  }
  // The body must be JSON; its label is checked once, in fuzz.trpc (tRPC mislabels some).
  const body = parseJson(response.text);
  if (body === undefined) return `refusal body does not parse as JSON, ${where}`;
  const messages = messagesOf(body);
  if (messages.length === 0 || messages.some((m) => m.trim().length < 8)) {
    return `refusal without a clear message, ${where}`;
  }
  return undefined;
}
