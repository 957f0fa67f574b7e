/**
 * One subscription to `$all` per server process, fanned out to every open
 * `order.watch` and `catalog.watch`. Appends by any process (or any server of an
 * EventStoreDB cluster) reach the watchers, not only this process's own.
 */
import { EventEmitter, on } from 'node:events';
import type { EventStore, Subscription } from './eventstore/port';

export const PRODUCTS = 'products';

export class LiveFeed {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private subscription: Subscription | undefined;

  constructor(private readonly onError: (error: unknown) => void) {}

  async start(store: EventStore): Promise<void> {
    const [last] = await store.readAll({ direction: 'backwards', maxCount: 1 });
    this.subscription = store.subscribeToAll({
      fromPosition: last?.position ?? 'start',
      filter: { streamPrefixes: ['order-', 'product-'] },
    });
    void this.pump(this.subscription);
  }

  /** Async iterable of change notifications for one stream (or PRODUCTS), ending on abort. */
  changes(key: string, signal: AbortSignal | undefined): AsyncIterable<unknown> {
    return on(this.emitter, key, signal ? { signal } : {});
  }

  async close(): Promise<void> {
    await this.subscription?.close();
  }

  private async pump(subscription: Subscription): Promise<void> {
    try {
      for await (const message of subscription) {
        if (message.kind !== 'event') continue;
        const { streamId } = message.event;
        this.emitter.emit(streamId, streamId);
        if (streamId.startsWith('product-')) this.emitter.emit(PRODUCTS, streamId);
      }
    } catch (error) {
      this.onError(error);
    }
  }
}
