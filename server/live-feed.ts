/**
 * Fans the read models' commits out to every open `order.watch` and `catalog.watch`. The
 * projection runner follows `$all`, so appends by any process (or any server of an
 * EventStoreDB cluster) reach the watchers, not only this process's own; and a watcher
 * told of a change finds the read models already up to date.
 */
import { EventEmitter, on } from 'node:events';
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

  /** Async iterable of change notifications for one stream (or PRODUCTS), ending on abort. */
  changes(key: string, signal: AbortSignal | undefined): AsyncIterable<unknown> {
    return on(this.emitter, key, signal ? { signal } : {});
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
