/**
 * Fans the read models' commits out to every open `order.watch` and `catalog.watch`. The
 * projection runner follows `$all`, so appends by any process (or any server of an
 * EventStoreDB cluster) reach the watchers, not only this process's own; and a watcher
 * told of a change finds the read models already up to date.
 */
import { EventEmitter } from 'node:events';
import type { ReadModelChange } from '../projections/runner';
import { orderStream, productStream } from './domain/events';

export const PRODUCTS = 'products';

export class LiveFeed {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(change: ReadModelChange): void {
    for (const orderId of change.orderIds) this.emit(orderStream(orderId));
    for (const sku of change.skus) this.emit(productStream(sku));
    if (change.skus.length > 0) this.emit(PRODUCTS);
  }

  /**
   * Change notifications for one stream (or PRODUCTS), ending on abort. A notice only says
   * "read again", so those that come while the watcher is busy count as one: a slow client
   * never makes them pile up.
   */
  changes(key: string, signal: AbortSignal | undefined): AsyncIterable<unknown> {
    const { emitter } = this;
    return {
      [Symbol.asyncIterator]() {
        let changed = false;
        let ended = signal?.aborted ?? false;
        let wake: ((result: IteratorResult<unknown>) => void) | undefined;
        const settle = (result: IteratorResult<unknown>) => {
          const waiting = wake;
          wake = undefined;
          waiting?.(result);
        };
        const onChange = () => {
          if (wake) settle({ value: key, done: false });
          else changed = true;
        };
        const end = (): Promise<IteratorResult<unknown>> => {
          ended = true;
          emitter.off(key, onChange);
          signal?.removeEventListener('abort', end);
          settle({ value: undefined, done: true });
          return Promise.resolve({ value: undefined, done: true });
        };
        if (!ended) {
          emitter.on(key, onChange);
          signal?.addEventListener('abort', end, { once: true });
        }
        return {
          next() {
            if (ended) return Promise.resolve({ value: undefined, done: true });
            if (changed) {
              changed = false;
              return Promise.resolve({ value: key, done: false });
            }
            return new Promise((resolve) => {
              wake = resolve;
            });
          },
          return: end,
        };
      },
    };
  }

  /** How many watchers follow `key` now. */
  watchers(key: string): number {
    return this.emitter.listenerCount(key);
  }

  private emit(key: string): void {
    // Most changes have no watcher: skip building the event for them.
    if (this.watchers(key) > 0) this.emitter.emit(key, key);
  }
}
