/**
 * Product streams, kept folded in memory and brought up to date incrementally before
 * every read or decision (only the events after the cached revision are read), so a
 * long stock history never has to be replayed. Commands on one sku run one at a time
 * in this process because the cached state is advanced in place; other processes are
 * kept honest by the exact-revision append.
 */
import type { Handled, Loaded } from '../command-handler';
import { handleCommand, loadStream } from '../command-handler';
import type { ProductEvent } from '../domain/events';
import { productStream } from '../domain/events';
import type { EventMetadata, EventStore } from '../eventstore/port';
import { KeyedQueue } from '../keyed-queue';
import type { ProductCommand, ProductState } from './product';
import { productDecider } from './product';

export class Products {
  private readonly cache = new Map<string, Loaded<ProductState>>();
  private readonly queue = new KeyedQueue();
  private readonly known = new Set<string>();

  constructor(private readonly store: EventStore) {}

  /** Adds skus to the catalog this process lists (from the catalog file or the read model). */
  register(skus: Iterable<string>): void {
    for (const sku of skus) this.known.add(sku);
  }

  skus(): string[] {
    return [...this.known].sort();
  }

  state(sku: string): Promise<ProductState> {
    return this.queue.run(sku, async () => (await this.refresh(sku)).state);
  }

  async states(skus: Iterable<string>): Promise<Map<string, ProductState>> {
    const unique = [...new Set(skus)];
    const states = await Promise.all(unique.map((sku) => this.state(sku)));
    return new Map(unique.map((sku, i) => [sku, states[i]!]));
  }

  execute(
    command: ProductCommand,
    metadata: EventMetadata,
  ): Promise<Handled<ProductState, ProductEvent>> {
    const { sku } = 'product' in command ? command.product : command;
    return this.queue.run(sku, async () => {
      const handled = await handleCommand(
        this.store,
        productStream(sku),
        productDecider,
        command,
        { metadata },
        () => this.refresh(sku),
      );
      if (handled.state.details) this.known.add(sku);
      this.cache.set(sku, handled);
      return handled;
    });
  }

  private async refresh(sku: string): Promise<Loaded<ProductState>> {
    try {
      const loaded = await loadStream(
        this.store,
        productStream(sku),
        productDecider,
        this.cache.get(sku),
      );
      this.cache.set(sku, loaded);
      return loaded;
    } catch (error) {
      // A fold that stopped half-way has advanced the cached state but not its revision.
      this.cache.delete(sku);
      throw error;
    }
  }
}
