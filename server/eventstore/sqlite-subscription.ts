import {
  matchesFilter,
  type Subscription,
  type SubscriptionFilter,
  type SubscriptionMessage,
} from './port';
import { type EventTuple, toRecordedEvent } from './sqlite-schema';

/** Catch-up reads this many rows at a time, so a long log is never held in memory at once. */
const PAGE_SIZE = 1_000;

export interface SubscriptionSource {
  /** Events with a position greater than `position`, in position order. */
  readAfter(position: bigint, limit: number): EventTuple[];
  detach(subscription: SqliteSubscription): void;
}

/**
 * Pull-based: every step reads the next page from the database after the last delivered
 * position, so catch-up and live delivery are one loop and a slow reader buffers nothing.
 * `wake()` (a local append, or another process's commit seen by the store's poller) ends
 * the wait once the reader has caught up.
 */
export class SqliteSubscription implements Subscription {
  private closed = false;
  private woken = false;
  private waiter: (() => void) | undefined;
  private readonly messages: AsyncGenerator<SubscriptionMessage>;

  constructor(
    private readonly source: SubscriptionSource,
    private cursor: bigint,
    private readonly filter: SubscriptionFilter | undefined,
  ) {
    this.messages = this.run();
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return this.messages;
  }

  wake(): void {
    this.woken = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.source.detach(this);
    this.wake();
  }

  private async *run(): AsyncGenerator<SubscriptionMessage> {
    let caughtUp = false;
    try {
      while (!this.closed) {
        this.woken = false;
        const rows = this.source.readAfter(this.cursor, PAGE_SIZE);
        for (const row of rows) {
          this.cursor = row[0];
          if (!matchesFilter({ streamId: row[1], type: row[4] }, this.filter)) continue;
          yield { kind: 'event', event: toRecordedEvent(row) };
          if (this.closed) return;
        }
        if (rows.length === PAGE_SIZE) {
          // Let I/O run between pages: a long catch-up must not starve the event loop.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          yield { kind: 'caughtUp' };
        }
        if (!this.woken && !this.closed) {
          await new Promise<void>((resolve) => {
            this.waiter = resolve;
          });
        }
      }
    } finally {
      await this.close();
    }
  }
}
