import type { SandboxClock } from './clock';
import type { EventRequest } from './events';
import { newPaymentIntentId, newSessionId } from './ids';
import type { CreateSessionInput } from './sessionInput';
import type { WorkTracker } from './work';

export interface SessionState {
  readonly id: string;
  readonly created: number;
  readonly input: CreateSessionInput;
  /** The Stripe-Version the session was created with; its events carry it. */
  readonly apiVersion: string | null;
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid';
  paymentIntent: string | null;
  collectedEmail: string | null;
}

type SessionEventType =
  | 'checkout.session.completed'
  | 'checkout.session.expired'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed';

interface SessionChange {
  type: SessionEventType;
  state: SessionState;
  request?: EventRequest;
}

/** How the money arrives: at once (cards), or later with a known fate (SEPA test IBANs). */
export type Settlement = 'paid' | 'later_paid' | 'later_failed';

interface StoreDeps {
  clock: SandboxClock;
  asyncDelayMs: number;
  work: WorkTracker;
  onChange: (change: SessionChange) => void;
}

/** Checkout Sessions and their life: open -> complete (paid now or later) | expired. */
export class SessionStore {
  private readonly sessions = new Map<string, SessionState>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  /** Debits still settling, by session id: their timer, settling now, and ending the wait. */
  private readonly settlements = new Map<
    string,
    { timer: NodeJS.Timeout; settle: () => void; done: () => void }
  >();

  constructor(private readonly deps: StoreDeps) {}

  create(input: CreateSessionInput, apiVersion: string | null): SessionState {
    const state: SessionState = {
      id: newSessionId(),
      created: this.deps.clock.nowSeconds(),
      input,
      apiVersion,
      status: 'open',
      paymentStatus: 'unpaid',
      paymentIntent: null,
      collectedEmail: null,
    };
    this.sessions.set(state.id, state);
    this.armExpiry(state);
    return state;
  }

  get(id: string): SessionState | undefined {
    return this.sessions.get(id);
  }

  /** Oldest first. */
  all(): SessionState[] {
    return [...this.sessions.values()];
  }

  byPaymentIntent(id: string): SessionState | undefined {
    return this.all().find((state) => state.paymentIntent === id);
  }

  /** The shopper paid on the page; the caller has checked that the session is open. */
  complete(state: SessionState, email: string, settlement: Settlement): void {
    this.disarmExpiry(state.id);
    state.status = 'complete';
    state.collectedEmail = email;
    state.paymentIntent = newPaymentIntentId();
    state.paymentStatus = settlement === 'paid' ? 'paid' : 'unpaid';
    this.deps.onChange({ type: 'checkout.session.completed', state });
    if (settlement !== 'paid') this.settleLater(state, settlement === 'later_paid');
  }

  /** Expires an open session (API call or its `expires_at` passing); false if it is not open. */
  expire(state: SessionState, request?: EventRequest): boolean {
    if (state.status !== 'open') return false;
    this.disarmExpiry(state.id);
    state.status = 'expired';
    this.deps.onChange({
      type: 'checkout.session.expired',
      state,
      ...(request ? { request } : {}),
    });
    return true;
  }

  /** After the clock moved: sessions now past `expires_at` expire at once. */
  rearmExpiryTimers(): void {
    for (const state of this.sessions.values()) {
      if (state.status === 'open') this.armExpiry(state);
    }
  }

  close(): void {
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    for (const { timer, done } of this.settlements.values()) {
      clearTimeout(timer);
      done();
    }
    this.expiryTimers.clear();
    this.settlements.clear();
  }

  private armExpiry(state: SessionState): void {
    this.disarmExpiry(state.id);
    const delay = Math.max(0, state.input.expiresAt * 1000 - this.deps.clock.nowMs());
    const timer = setTimeout(() => {
      this.expiryTimers.delete(state.id);
      this.expire(state);
    }, delay);
    // An open session must not keep a test process or `npm start` alive on its own.
    timer.unref();
    this.expiryTimers.set(state.id, timer);
  }

  private disarmExpiry(id: string): void {
    clearTimeout(this.expiryTimers.get(id));
    this.expiryTimers.delete(id);
  }

  /**
   * Settles a debit now, as its delay would (Stripe's test mode settles when it chooses): a
   * test decides the moment. False when the session has no debit settling.
   */
  settle(id: string): boolean {
    const settlement = this.settlements.get(id);
    if (!settlement) return false;
    clearTimeout(settlement.timer);
    settlement.settle();
    return true;
  }

  private settleLater(state: SessionState, succeeds: boolean): void {
    const done = this.deps.work.begin();
    const settle = () => {
      this.settlements.delete(state.id);
      if (succeeds) state.paymentStatus = 'paid';
      this.deps.onChange({
        type: succeeds
          ? 'checkout.session.async_payment_succeeded'
          : 'checkout.session.async_payment_failed',
        state,
      });
      done();
    };
    const timer = setTimeout(settle, this.deps.asyncDelayMs);
    timer.unref();
    this.settlements.set(state.id, { timer, settle, done });
  }
}
