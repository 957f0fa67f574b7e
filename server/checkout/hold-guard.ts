/**
 * The cap on units one shopper may hold in unpaid checkouts (MAX_HELD_UNITS). The read
 * models count a shopper's open orders but lag behind appends, so the guard adds what
 * this process validated that the read models have not yet projected, and runs one
 * check-and-validate per shopper at a time. Concurrent checkouts by one shopper on one
 * server therefore cannot slip past the cap; across servers the read-model lag (a few
 * milliseconds) remains, which is acceptable for an abuse guard that decides no stock.
 */
import { KeyedQueue } from '../keyed-queue';

export class HoldLimitError extends Error {
  override readonly name = 'HoldLimitError';
}

interface Unprojected {
  position: bigint;
  units: number;
}

export class HoldGuard {
  private readonly queue = new KeyedQueue();
  private readonly unprojected = new Map<string, Unprojected[]>();
  private projectedTo = -1n;

  constructor(
    private readonly projectedHeld: (email: string) => number,
    private readonly max: number,
  ) {}

  /** The read models have committed everything up to `position`. */
  projected(position: bigint): void {
    this.projectedTo = position;
    for (const [email, entries] of this.unprojected) {
      const left = entries.filter((e) => e.position > position);
      if (left.length > 0) this.unprojected.set(email, left);
      else this.unprojected.delete(email);
    }
  }

  /**
   * Runs `validate` only if `units` more keep the shopper within the cap. `validate`
   * returns the `$all` position of what it appended (undefined if it appended nothing).
   */
  within<T>(
    email: string,
    units: number,
    validate: () => Promise<{ position?: bigint; value: T }>,
  ): Promise<T> {
    return this.queue.run(email, async () => {
      const pending = (this.unprojected.get(email) ?? []).filter(
        (e) => e.position > this.projectedTo,
      );
      const held = this.projectedHeld(email) + pending.reduce((sum, e) => sum + e.units, 0);
      if (held + units > this.max) {
        throw new HoldLimitError(
          `At most ${this.max} units may wait in unpaid checkouts per shopper; ${held} already do. Finish or cancel those first.`,
        );
      }
      const { position, value } = await validate();
      if (position !== undefined && position > this.projectedTo) {
        this.unprojected.set(email, [...pending, { position, units }]);
      }
      return value;
    });
  }
}
