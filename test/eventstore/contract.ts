import { afterAll, beforeAll, describe } from 'vitest';
import type { EventStore } from '../../server/eventstore/port';
import { describeAllStream } from './contract-all';
import { describeAppends } from './contract-append';
import { describeConcurrency } from './contract-concurrency';
import { describeReads } from './contract-read';
import { describeSubscriptions } from './contract-subscribe';

export interface StoreHarness {
  open(): Promise<EventStore>;
  /** Environment for child processes so they open the very same store through openEventStore. */
  childEnv(): Record<string, string>;
  /** Whether a writer may be SIGKILLed mid-stream to check acknowledged appends survive. */
  supportsKill?: boolean;
  /** Checks the storage itself is sound after a writer was killed (SQLite: `PRAGMA integrity_check`). */
  checkIntegrity?(): Promise<void>;
}

/**
 * The behaviour every event store adapter owes the rest of stripe-cart, as EventStoreDB
 * defines it. Every test uses its own streams and reads `$all` only from a position taken
 * before it started, so the suite also runs against a shared server.
 */
export function describeEventStoreContract(name: string, harness: StoreHarness): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore | undefined;
    beforeAll(async () => {
      store = await harness.open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const current = (): EventStore => {
      if (!store) throw new Error('the store did not open');
      return store;
    };
    describeAppends(current);
    describeReads(current);
    describeAllStream(current);
    describeSubscriptions(current);
    describeConcurrency(current, harness);
  });
}
