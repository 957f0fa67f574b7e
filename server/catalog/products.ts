/**
 * Product streams, kept folded in memory and brought up to date incrementally before
 * every read or decision (only the events after the cached revision are read), so a
 * long stock history never has to be replayed. Commands on one sku run one batch at a
 * time in this process because the cached state is advanced in place; other processes
 * are kept honest by the exact-revision append.
 *
 * Commands for a sku that arrive while its last batch is being appended form the next
 * batch: decided one after another on the product as the earlier ones leave it, and
 * appended together in one append at the revision read. A hot product then takes one
 * durable append per batch instead of one per checkout, and the batch is all or nothing:
 * if another process appended first, every command in it is decided again.
 */
import { randomUUID } from 'node:crypto';
import type { Handled, Loaded } from '../command-handler';
import { loadStream } from '../command-handler';
import { checkNewEvents } from '../domain/event-check';
import type { ProductEvent } from '../domain/events';
import { productStream } from '../domain/events';
import type { EventMetadata, EventStore } from '../eventstore/port';
import { WrongExpectedVersionError } from '../eventstore/port';
import { KeyedQueue } from '../keyed-queue';
import type { ProductCommand, ProductState } from './product';
import { decideInOrder, productDecider } from './product';

/**
 * Rounds a batch may lose to other processes' appends on its product before it fails: each
 * round someone wins, and a hot product shared by several servers needs more than an order.
 */
const PRODUCT_ATTEMPTS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Queued {
  command: ProductCommand;
  metadata: EventMetadata;
  resolve(handled: Handled<ProductState, ProductEvent>): void;
  reject(error: unknown): void;
}

export class Products {
  private readonly cache = new Map<string, Loaded<ProductState>>();
  private readonly queue = new KeyedQueue();
  /** Per sku, the batch still taking commands (its turn in the queue has not come yet). */
  private readonly open = new Map<string, Queued[]>();
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

  /**
   * Decides and appends `command`. The result's state and revision are the product's after
   * the batch it was appended in; `position` is that of the batch's last event.
   */
  execute(
    command: ProductCommand,
    metadata: EventMetadata,
  ): Promise<Handled<ProductState, ProductEvent>> {
    const { sku } = 'product' in command ? command.product : command;
    return new Promise((resolve, reject) => {
      let batch = this.open.get(sku);
      if (!batch) {
        const created: Queued[] = [];
        batch = created;
        this.open.set(sku, created);
        void this.queue.run(sku, () => {
          // Its turn has come: later commands start the next batch.
          this.open.delete(sku);
          return this.runBatch(sku, created);
        });
      }
      batch.push({ command, metadata, resolve, reject });
    });
  }

  /** Settles every command of the batch; never throws. */
  private async runBatch(sku: string, batch: Queued[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let loaded: Loaded<ProductState>;
      try {
        loaded = await this.refresh(sku);
      } catch (error) {
        for (const queued of batch) queued.reject(error);
        return;
      }
      // The cached state is evolved only once the events are stored: a failed append leaves it as it was.
      const decided = decideInOrder(
        loaded.state,
        batch.map((queued) => queued.command),
      );
      const appending = decided.flatMap((outcome, i) =>
        outcome.ok
          ? outcome.events.map((event) => ({
              id: randomUUID(),
              type: event.type,
              data: event.data,
              metadata: batch[i]!.metadata,
            }))
          : [],
      );
      let after: Loaded<ProductState> = loaded;
      let position: bigint | undefined;
      if (appending.length > 0) {
        try {
          checkNewEvents(productStream(sku), appending);
          const result = await this.store.append(productStream(sku), appending, {
            expectedRevision: loaded.revision,
          });
          let state = loaded.state;
          for (const outcome of decided) {
            if (outcome.ok)
              for (const event of outcome.events) state = productDecider.evolve(state, event);
          }
          after = { state, revision: result.nextExpectedRevision };
          position = result.position;
          this.cache.set(sku, after);
        } catch (error) {
          // Another process appended first: the next attempt reads its events and decides again,
          // after a random pause that grows, so processes racing for one popular product take
          // turns instead of one losing every round.
          if (error instanceof WrongExpectedVersionError && attempt < PRODUCT_ATTEMPTS) {
            await sleep(Math.random() * Math.min(2 ** attempt, 64));
            continue;
          }
          for (const queued of batch) queued.reject(error);
          return;
        }
      }
      if (after.state.details) this.known.add(sku);
      decided.forEach((outcome, i) => {
        const queued = batch[i]!;
        if (!outcome.ok) {
          queued.reject(outcome.error);
          return;
        }
        queued.resolve({
          ...after,
          events: outcome.events,
          ...(outcome.events.length > 0 && position !== undefined && { position }),
        });
      });
      return;
    }
  }

  private async refresh(sku: string): Promise<Loaded<ProductState>> {
    try {
      const loaded = await loadStream(
        this.store,
        productStream(sku),
        productDecider,
        this.cache.get(sku),
      );
      // Only products that exist: carts naming made-up skus would otherwise grow it for ever.
      if (loaded.revision === 'no_stream') this.cache.delete(sku);
      else this.cache.set(sku, loaded);
      return loaded;
    } catch (error) {
      // A fold that stopped half-way has advanced the cached state but not its revision.
      this.cache.delete(sku);
      throw error;
    }
  }
}
