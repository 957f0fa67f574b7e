/**
 * Units held per order on one product, for the product decider. A paid hold is the sale
 * and never ends, so a product's state gains an entry per order for good: with a
 * `Map<string, number>` 275,000 holds (a 1,000,000-event store) took about 30 MB of
 * order-id strings and hash tables in the server's heap. Order ids are UUIDs, so here they
 * are their 16 bytes in typed arrays (open addressing, linear probing): 25 bytes a slot, 36
 * to 72 bytes a hold as the table fills (13 MB for those 275,000), outside the V8 heap and
 * no object per hold. An id that is not a lower-case UUID is kept in a plain Map, so any
 * string still works as a key, exactly as in a Map.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const EMPTY = 0;
const FULL = 1;
const DELETED = 2;
/** Grow once live and deleted slots fill this share of the table. */
const MAX_LOAD = 0.7;

/** What the product decider reads and changes of a product's holds. */
export interface Holds {
  readonly size: number;
  has(orderId: string): boolean;
  get(orderId: string): number | undefined;
  set(orderId: string, units: number): unknown;
  delete(orderId: string): boolean;
}

export class HoldBook implements Holds {
  private slots = 16;
  /** Four 32-bit words of the id per slot. */
  private ids = new Uint32Array(this.slots * 4);
  private state = new Uint8Array(this.slots);
  private units = new Float64Array(this.slots);
  /** Live holds plus deleted slots: what probing has to walk past. */
  private used = 0;
  private live = 0;
  private readonly other = new Map<string, number>();
  private readonly key = new Uint32Array(4);

  get size(): number {
    return this.live + this.other.size;
  }

  has(orderId: string): boolean {
    return this.get(orderId) !== undefined;
  }

  get(orderId: string): number | undefined {
    if (!this.parse(orderId)) return this.other.get(orderId);
    const slot = this.find();
    return slot < 0 ? undefined : this.units[slot];
  }

  set(orderId: string, units: number): this {
    if (!this.parse(orderId)) {
      this.other.set(orderId, units);
      return this;
    }
    const slot = this.find();
    if (slot >= 0) {
      this.units[slot] = units;
      return this;
    }
    if (this.used + 1 > this.slots * MAX_LOAD) this.resize();
    this.insert(this.key, units);
    this.used += 1;
    this.live += 1;
    return this;
  }

  delete(orderId: string): boolean {
    if (!this.parse(orderId)) return this.other.delete(orderId);
    const slot = this.find();
    if (slot < 0) return false;
    // A tombstone keeps the probe chains of later keys intact.
    this.state[slot] = DELETED;
    this.live -= 1;
    return true;
  }

  /** Reads a lower-case UUID into `this.key`; false for any other string. */
  private parse(orderId: string): boolean {
    if (orderId.length !== 36 || !UUID.test(orderId)) return false;
    let word = 0;
    let nibbles = 0;
    for (let i = 0; i < 36; i++) {
      const c = orderId.charCodeAt(i);
      if (c === 45) continue; // '-'
      word = (word << 4) | (c <= 57 ? c - 48 : c - 87);
      if (++nibbles % 8 === 0) {
        this.key[nibbles / 8 - 1] = word >>> 0;
        word = 0;
      }
    }
    return true;
  }

  /** The slot holding `this.key`, or -1. */
  private find(): number {
    const mask = this.slots - 1;
    const { ids, state, key } = this;
    for (let slot = this.hash(key) & mask; ; slot = (slot + 1) & mask) {
      if (state[slot] === EMPTY) return -1;
      const at = slot * 4;
      if (
        state[slot] === FULL &&
        ids[at] === key[0] &&
        ids[at + 1] === key[1] &&
        ids[at + 2] === key[2] &&
        ids[at + 3] === key[3]
      ) {
        return slot;
      }
    }
  }

  private insert(key: Uint32Array, units: number): void {
    const mask = this.slots - 1;
    let slot = this.hash(key) & mask;
    while (this.state[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.ids.set(key, slot * 4);
    this.state[slot] = FULL;
    this.units[slot] = units;
  }

  /** Doubles the table, or rebuilds it at its size when deleted slots are what fills it. */
  private resize(): void {
    const { ids, state, units, slots } = this;
    this.slots = this.live + 1 > slots * (MAX_LOAD / 2) ? slots * 2 : slots;
    this.ids = new Uint32Array(this.slots * 4);
    this.state = new Uint8Array(this.slots);
    this.units = new Float64Array(this.slots);
    for (let slot = 0; slot < slots; slot++) {
      if (state[slot] === FULL) this.insert(ids.subarray(slot * 4, slot * 4 + 4), units[slot]!);
    }
    this.used = this.live;
  }

  /** UUIDs are random in their first word (v4 and v5 alike). */
  private hash(key: Uint32Array): number {
    return (key[0]! ^ key[3]!) >>> 0;
  }
}

/**
 * Holds as `base` plus changes kept aside: commands decided on it one after another see
 * each other's holds while `base`, the product's stored state, stays as it was until
 * their events are appended (and is left alone if the append fails).
 */
export class PendingHolds implements Holds {
  /** An order's units, or null once its hold is deleted. */
  private readonly changes = new Map<string, number | null>();

  constructor(private readonly base: Holds) {}

  get size(): number {
    let size = this.base.size;
    for (const [orderId, units] of this.changes) {
      const before = this.base.has(orderId);
      if (units === null && before) size -= 1;
      else if (units !== null && !before) size += 1;
    }
    return size;
  }

  has(orderId: string): boolean {
    return this.get(orderId) !== undefined;
  }

  get(orderId: string): number | undefined {
    const changed = this.changes.get(orderId);
    if (changed === undefined) return this.base.get(orderId);
    return changed ?? undefined;
  }

  set(orderId: string, units: number): this {
    this.changes.set(orderId, units);
    return this;
  }

  delete(orderId: string): boolean {
    const had = this.has(orderId);
    this.changes.set(orderId, null);
    return had;
  }
}
