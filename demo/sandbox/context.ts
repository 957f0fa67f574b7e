import type { ChargeObject, DisputeObject, RefundObject } from './chargeObject';
import type { ChargeState, ChargeStore, DisputeState, RefundState } from './charges';
import type { SandboxClock } from './clock';
import type { FaultQueue } from './faults';
import type { IdempotencyStore } from './idempotency';
import type { CheckoutSessionObject } from './sessionObject';
import type { SessionState, SessionStore } from './sessions';

/** What the HTTP routes share; built once in index.ts. */
export interface SandboxContext {
  readonly secretKey: string;
  readonly clock: SandboxClock;
  readonly sessions: SessionStore;
  readonly charges: ChargeStore;
  readonly idempotency: IdempotencyStore;
  readonly faults: FaultQueue;
  sessionObject(state: SessionState): CheckoutSessionObject;
  chargeObject(charge: ChargeState): ChargeObject;
  refundObject(refund: RefundState): RefundObject;
  disputeObject(dispute: DisputeState): DisputeObject;
  log(line: string): void;
}
