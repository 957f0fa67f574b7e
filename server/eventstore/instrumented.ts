/**
 * Wraps any adapter to time appends and remember when each position was appended, so
 * the projection lag can be measured where the read models commit; and to say, through
 * `failure()`, while appends fail for a reason of the disk or the store (a full disk, a
 * read-only or vanished file), which no retry by the caller mends.
 */
import type { Metrics } from '../metrics';
import type { EventStore } from './port';
import { WrongExpectedVersionError } from './port';

export interface InstrumentedStore extends EventStore {
  /** When this process appended the event at `position`, if it did (and recently). */
  appendedAt(position: bigint): number | undefined;
}

const REMEMBERED = 10_000;

/** Appends fail for the store's own reason, until one succeeds again. */
export class AppendsFailingError extends Error {
  override readonly name = 'AppendsFailingError';
}

/** SQLite's codes for a disk or file that cannot take the append; EventStoreDB not answering. */
const storeTrouble = (error: unknown) =>
  /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/.test(
    String((error as { code?: unknown } | null)?.code),
  ) || (error as Error | null)?.name === 'UnavailableError';

export function instrumented(store: EventStore, metrics: Metrics): InstrumentedStore {
  const appended = new Map<bigint, number>();
  let failing: AppendsFailingError | undefined;
  return {
    async append(stream, events, options) {
      const end = metrics.appends.startTimer();
      try {
        const result = await store.append(stream, events, options);
        end({ result: 'ok' });
        failing = undefined;
        appended.set(result.position, performance.now());
        if (appended.size > REMEMBERED) appended.delete(appended.keys().next().value!);
        return result;
      } catch (error) {
        end({ result: error instanceof WrongExpectedVersionError ? 'conflict' : 'error' });
        if (storeTrouble(error)) {
          // Its code only: /healthz shows it, and the store's own words may name a file or host.
          const { code } = error as { code?: string };
          failing = new AppendsFailingError(code ?? (error as Error).name);
        }
        throw error;
      }
    },
    appendedAt: (position) => appended.get(position),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    close: () => store.close(),
    failure: () => store.failure?.() ?? failing,
  };
}
