/**
 * The caps on units waiting in unpaid checkouts: per shopper (email, MAX_HELD_UNITS) and,
 * since emails cost nothing to make up, per client address (MAX_HELD_UNITS_PER_CLIENT).
 *
 * The read models count a shopper's open orders but lag behind appends, so the guard adds
 * what this process validated that they have not yet projected. They do not know client
 * addresses (the event log keeps none), so the guard remembers which orders each address
 * validated here and asks the read models which of those are still open. One
 * check-and-validate runs per shopper at a time, and a checkout's units count against its
 * address from the turn of its check: concurrent checkouts on one server cannot slip past
 * either cap. Across servers, or after a restart, the address cap counts only what each
 * process saw: it is an abuse guard, and decides no stock.
 */
import { KeyedQueue } from '../keyed-queue';

export class HoldLimitError extends Error {
  override readonly name = 'HoldLimitError';
}

export interface Holder {
  email: string;
  /** The client's address, as the rate limiter sees it. */
  client: string;
  orderId: string;
  /**
   * Orders of this shopper's that this request has just ended (a changed cart's last Pay):
   * their units are free, whatever the read models, which may not have seen that yet, say.
   */
  ended?: readonly string[];
}

/** What the read models say about holds. */
export interface ProjectedHolds {
  /**
   * Units in the open (unpaid, unexpired) orders of this email but the `ended` ones, as of
   * `$all` `position`.
   */
  byEmail(email: string, ended: readonly string[]): { units: number; position: bigint };
  /** Which of these orders are still open. */
  open(orderIds: string[]): Set<string>;
}

export interface HoldCaps {
  perShopper: number;
  perClient: number;
  /** How long a checkout can hold units before the sweep gives them back. */
  holdMs: number;
}

interface Validated {
  orderId: string;
  position: bigint;
  units: number;
  /** When it was validated (ms), to forget addresses that never come back. */
  at: number;
}

/** An address's orders validated here, all counted as open until shown otherwise. */
interface ClientHolds {
  entries: Validated[];
  units: number;
}

export class HoldGuard {
  private readonly queue = new KeyedQueue();
  /** Per email: validated here, not yet projected. */
  private readonly unprojected = new Map<string, Validated[]>();
  /** Per address: validated here and, as far as this process knows, still open. */
  private readonly byClient = new Map<string, ClientHolds>();
  private projectedTo = -1n;
  private forgotAt: number;

  constructor(
    private readonly projectedHolds: ProjectedHolds,
    private readonly caps: HoldCaps,
    private readonly now: () => number = Date.now,
  ) {
    this.forgotAt = now();
  }

  /** The read models have committed everything up to `position`. */
  projected(position: bigint): void {
    this.projectedTo = position;
    for (const [email, entries] of this.unprojected) {
      const left = entries.filter((e) => e.position > position);
      if (left.length > 0) this.unprojected.set(email, left);
      else this.unprojected.delete(email);
    }
    if (this.now() - this.forgotAt >= this.caps.holdMs) this.forgetExpired();
  }

  /**
   * Runs `validate` only if `units` more keep both the shopper and the client within their
   * caps. `validate` returns the `$all` position of what it appended (undefined if nothing).
   */
  within<T>(
    holder: Holder,
    units: number,
    validate: () => Promise<{ position?: bigint; value: T }>,
  ): Promise<T> {
    return this.queue.run(`email ${holder.email}`, async () => {
      const { perShopper, perClient } = this.caps;
      const ended = holder.ended ?? [];
      const projected = this.projectedHolds.byEmail(holder.email, ended);
      // Against the position the figure includes, not the last change heard of: the runner
      // commits before its news arrives here, and an order counted twice refuses a shopper.
      const pending = (this.unprojected.get(holder.email) ?? []).filter(
        (e) => e.position > projected.position && !ended.includes(e.orderId),
      );
      this.forgetEnded(holder.client, ended);
      const shopper = projected.units + sum(pending);
      if (shopper + units > perShopper) {
        throw new HoldLimitError(
          // Not how many: anyone may type a shopper's email, and learn nothing of their cart.
          `At most ${perShopper} units may wait in unpaid checkouts per shopper. Finish or cancel those first.`,
        );
      }
      const client = this.clientUnits(holder.client, units);
      if (client + units > perClient) {
        throw new HoldLimitError(
          `At most ${perClient} units may wait in unpaid checkouts from one address; ${client} already do. Finish or cancel those first.`,
        );
      }
      // Counted against the address at once, in the same turn as the check: its other
      // checkouts (shoppers behind one proxy) then need not wait for this one to validate.
      const entry = { orderId: holder.orderId, position: UNSTORED, units, at: this.now() };
      this.holdFor(holder.client, entry);
      let position: bigint | undefined;
      try {
        const validated = await validate();
        position = validated.position;
        if (position !== undefined && position > this.projectedTo)
          this.unprojected.set(holder.email, [...pending, { ...entry, position }]);
        return validated.value;
      } finally {
        if (position === undefined) this.release(holder.client, entry);
        else entry.position = position;
      }
    });
  }

  private holdFor(client: string, entry: Validated): void {
    const holds = this.byClient.get(client) ?? { entries: [], units: 0 };
    holds.entries.push(entry);
    holds.units += entry.units;
    this.byClient.set(client, holds);
  }

  private forgetEnded(client: string, ended: readonly string[]): void {
    const holds = this.byClient.get(client);
    if (!holds || ended.length === 0) return;
    for (const entry of holds.entries.filter((e) => ended.includes(e.orderId)))
      this.release(client, entry);
  }

  /** Takes back an entry whose checkout stored nothing (refused, failed, or already there), or has ended. */
  private release(client: string, entry: Validated): void {
    const holds = this.byClient.get(client);
    const index = holds?.entries.indexOf(entry) ?? -1;
    if (!holds || index < 0) return;
    holds.entries.splice(index, 1);
    holds.units -= entry.units;
    if (holds.entries.length === 0) this.byClient.delete(client);
  }

  /**
   * Units the address's checkouts may still hold. Counting every remembered order as open
   * can only overstate, so the read models are asked (and ended orders forgotten) only when
   * that count would refuse `units` more: an address far from its cap costs nothing.
   */
  private clientUnits(client: string, units: number): number {
    const holds = this.byClient.get(client);
    if (!holds) return 0;
    if (holds.units + units > this.caps.perClient) this.prune(client, holds, true);
    return holds.units;
  }

  /** Drops the orders that can no longer hold units: too old, or (asking) seen ended. */
  private prune(client: string, holds: ClientHolds, askReadModels: boolean): void {
    const since = this.now() - this.caps.holdMs;
    let entries = holds.entries.filter((e) => e.at > since);
    if (askReadModels) {
      const projected = entries.filter((e) => e.position <= this.projectedTo);
      const open = this.projectedHolds.open(projected.map((e) => e.orderId));
      entries = entries.filter((e) => e.position > this.projectedTo || open.has(e.orderId));
    }
    holds.entries = entries;
    holds.units = sum(entries);
    if (entries.length === 0) this.byClient.delete(client);
  }

  /** Addresses that never came back would otherwise be remembered for ever. */
  private forgetExpired(): void {
    this.forgotAt = this.now();
    for (const [client, holds] of this.byClient) this.prune(client, holds, false);
  }
}

/** The position of an entry still being validated: later than any the read models reach. */
const UNSTORED = BigInt(Number.MAX_SAFE_INTEGER);

const sum = (entries: readonly Validated[]) => entries.reduce((total, e) => total + e.units, 0);
