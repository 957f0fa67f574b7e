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
  /** What `shared` computed per key since its last change. */
  private readonly computed = new Map<string, Promise<unknown>>();

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

  /**
   * What `compute` gives for `key` as it is now, computed once per change of `key` however
   * many watchers ask: a thousand catalog streams cost one listing per stock change.
   */
  shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const cached = this.computed.get(key);
    if (cached) return cached as Promise<T>;
    const value = compute();
    this.computed.set(key, value);
    // A failure is not kept: the next watcher asks again.
    value.catch(() => {
      if (this.computed.get(key) === value) this.computed.delete(key);
    });
    return value;
  }

  /** How many watchers follow `key` now. */
  watchers(key: string): number {
    return this.emitter.listenerCount(key);
  }

  private emit(key: string): void {
    this.computed.delete(key);
    // Most changes have no watcher: skip building the event for them.
    if (this.watchers(key) > 0) this.emitter.emit(key, key);
  }
}
