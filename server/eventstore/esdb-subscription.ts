import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { RecordedEvent, Subscription, SubscriptionMessage } from './port';

/** Above this many undelivered messages the client's stream is paused until the reader catches up. */
const HIGH_WATER_MARK = 1_000;

/**
 * Turns the client's subscription (a Node stream of events plus a separate 'caughtUp'
 * event) into our ordered message iterator. The client emits 'caughtUp' when it
 * *transforms* the server's CaughtUp message, while events it transformed before may
 * still wait in its readable buffer; so the signal is placed after exactly the events
 * pushed before it (those delivered plus `readableLength`), never by arrival time.
 */
export class EsdbSubscription implements Subscription {
  private readonly queue: SubscriptionMessage[] = [];
  private waiter: (() => void) | undefined;
  private failure: unknown;
  private closed = false;
  private delivered = 0;
  private caughtUpAfter: number | undefined;

  constructor(
    private readonly inner: AllStreamSubscription,
    private readonly toEvent: (resolved: AllStreamResolvedEvent) => RecordedEvent | undefined,
    private readonly onClose: (subscription: EsdbSubscription) => void,
  ) {
    inner.on('data', (resolved: AllStreamResolvedEvent) => {
      this.delivered += 1;
      const event = this.toEvent(resolved);
      if (event) this.push({ kind: 'event', event });
      this.signalCaughtUpWhenDue();
    });
    inner.on('caughtUp', () => {
      this.caughtUpAfter = this.delivered + inner.readableLength;
      this.signalCaughtUpWhenDue();
    });
    inner.on('error', (error: unknown) => {
      this.failure = error;
      this.wake();
    });
    inner.on('end', () => {
      // Ended by the server: the store forgets it as close() would have it do.
      if (!this.closed) this.onClose(this);
      this.closed = true;
      this.wake();
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    try {
      for (;;) {
        const message = this.queue.shift();
        if (message) {
          if (this.queue.length < HIGH_WATER_MARK && this.inner.isPaused()) this.inner.resume();
          yield message;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.closed) return;
        await new Promise<void>((resolve) => {
          this.waiter = resolve;
        });
      }
    } finally {
      // A loop left early (break, return, a throw) ends the subscription, as on SQLite.
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClose(this);
    this.wake();
    await this.inner.unsubscribe();
  }

  private signalCaughtUpWhenDue(): void {
    if (this.caughtUpAfter === undefined || this.delivered < this.caughtUpAfter) return;
    this.caughtUpAfter = undefined;
    this.push({ kind: 'caughtUp' });
  }

  private push(message: SubscriptionMessage): void {
    if (this.closed) return;
    this.queue.push(message);
    if (this.queue.length >= HIGH_WATER_MARK) this.inner.pause();
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
