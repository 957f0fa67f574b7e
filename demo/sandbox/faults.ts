/**
 * Faults injected into the next API calls, one call each (a call answered by an idempotent
 * replay uses one up too):
 * - `http500`: Stripe's 500 api_error, saved for the idempotency key like any answer of an
 *   endpoint that ran, so a retry with that key gets the same 500 again (as from Stripe),
 *   and marked `Stripe-Should-Retry: false` so that Stripe's packages do not retry it;
 * - `timeout`: no answer at all, until the client gives up; nothing is saved for the key;
 * - `reset`: the connection is destroyed before the request is processed; nothing is saved;
 * - `lost_response`: the request is processed, then the connection is destroyed, so the client
 *   cannot know it succeeded (its retry must carry the same idempotency key);
 * - `card_error`: a 402 card_error (card_declined), saved for the key like `http500`;
 * - `in_progress`: the request is processed but answered only after IN_PROGRESS_MS; until
 *   then another request with its idempotency key gets Stripe's 409 (a request in progress).
 */
export type FaultKind =
  | 'http500'
  | 'timeout'
  | 'reset'
  | 'lost_response'
  | 'card_error'
  | 'in_progress';

/** How long an `in_progress` request is held before it is answered. */
export const IN_PROGRESS_MS = 1_500;

export const FAULT_KINDS: readonly FaultKind[] = [
  'http500',
  'timeout',
  'reset',
  'lost_response',
  'card_error',
  'in_progress',
];

export class FaultQueue {
  private readonly queue: FaultKind[] = [];

  add(kind: FaultKind, count: number): void {
    if (!FAULT_KINDS.includes(kind)) throw new RangeError(`Unknown fault kind: ${kind}`);
    if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be 1 or more');
    for (let i = 0; i < count; i++) this.queue.push(kind);
  }

  next(): FaultKind | undefined {
    return this.queue.shift();
  }

  clear(): void {
    this.queue.length = 0;
  }
}
