/**
 * Wraps any adapter to time appends and remember when each position was appended, so
 * the projection lag can be measured where the read models commit.
 */
import type { Metrics } from '../metrics';
import type { EventStore } from './port';
import { WrongExpectedVersionError } from './port';

export interface InstrumentedStore extends EventStore {
  /** When this process appended the event at `position`, if it did (and recently). */
  appendedAt(position: bigint): number | undefined;
}

const REMEMBERED = 10_000;

export function instrumented(store: EventStore, metrics: Metrics): InstrumentedStore {
  const appended = new Map<bigint, number>();
  return {
    async append(stream, events, options) {
      const end = metrics.appends.startTimer();
      try {
        const result = await store.append(stream, events, options);
        end({ result: 'ok' });
        appended.set(result.position, performance.now());
        if (appended.size > REMEMBERED) appended.delete(appended.keys().next().value!);
        return result;
      } catch (error) {
        end({ result: error instanceof WrongExpectedVersionError ? 'conflict' : 'error' });
        throw error;
      }
    },
    appendedAt: (position) => appended.get(position),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    close: () => store.close(),
    failure: () => store.failure?.(),
  };
}
