/**
 * A read-model table behind a write-back cache of two generations, with the SQL of its
 * rows (a Codec) underneath: the projector reads and writes rows in memory, and the
 * caller writes the changed rows inside its commit transaction.
 */
import type { Table } from './apply';
import { KeyFilter } from './key-filter';

/** How one table's rows are read from and written to SQLite. */
export interface Codec<V> {
  load(key: string): V | undefined;
  /** `stored`: the row already exists in the database. */
  save(value: V, stored: boolean): void;
}

interface Entry<V> {
  value: V | undefined;
  stored: boolean;
}

/**
 * Rows live in two generations: a commit that leaves the young one too big makes it the
 * old one and drops the previous old one, so recently used rows stay cached. When the
 * tables were empty at start (a rebuild), every row that exists was written by this
 * process: a key the filter of evicted keys has never seen is absent, no need to ask SQLite.
 */
export class CachedTable<V> implements Table<V> {
  private young = new Map<string, Entry<V>>();
  private old = new Map<string, Entry<V>>();
  private readonly dirty = new Map<string, Entry<V>>();
  /** Keys written by this process and dropped from the cache since; only kept while `fresh`. */
  private evicted: KeyFilter | undefined;

  constructor(
    private readonly codec: Codec<V>,
    private maxEntries: number,
    fresh: boolean,
  ) {
    this.evicted = fresh ? new KeyFilter() : undefined;
  }

  get(key: string): V | undefined {
    return this.entry(key).value;
  }

  set(key: string, value: V): void {
    const entry = this.entry(key);
    entry.value = value;
    this.dirty.set(key, entry);
  }

  /** Writes the changed rows; call inside the commit transaction. */
  write(): void {
    this.save([...this.dirty.keys()]);
  }

  /** In key order: neighbouring keys share B-tree pages, so each page is visited once. */
  private save(keys: string[]): void {
    keys.sort();
    for (const key of keys) {
      const entry = this.dirty.get(key)!;
      if (entry.value !== undefined) this.codec.save(entry.value, entry.stored);
    }
  }

  /**
   * Rebuild only (a private file written in one transaction): when the young generation is
   * full, writes the changed rows about to leave the cache and drops them. Rows in use stay
   * cached and unwritten, so most rows are written once, when they stop changing.
   */
  spill(): void {
    if (this.young.size <= this.maxEntries) return;
    const leaving: string[] = [];
    for (const key of this.old.keys()) if (!this.young.has(key)) leaving.push(key);
    this.save(leaving.filter((key) => this.dirty.has(key)));
    for (const key of leaving) {
      const entry = this.old.get(key)!;
      if (this.dirty.delete(key) && entry.value !== undefined) entry.stored = true;
      if (entry.stored) this.evicted?.add(key);
    }
    this.old = this.young;
    this.young = new Map();
  }

  /** After a commit: the written rows are now stored. */
  committed(): void {
    for (const entry of this.dirty.values()) entry.stored = true;
    this.dirty.clear();
    if (this.young.size <= this.maxEntries) return;
    if (this.evicted) for (const [key, entry] of this.old) if (entry.stored) this.evicted.add(key);
    this.old = this.young;
    this.young = new Map();
  }

  /**
   * After catching up (everything committed): live events touch few rows, mostly new or
   * recent ones, so the cache shrinks to `maxEntries` per generation, and the filter of
   * evicted keys (2 MB a table) goes: a miss asks SQLite.
   */
  goLive(maxEntries: number): void {
    this.maxEntries = maxEntries;
    this.evicted = undefined;
    this.old = this.young.size > maxEntries ? new Map() : this.young;
    this.young = new Map();
  }

  /** After a failed or refused commit: the cache no longer matches the database. */
  discard(): void {
    // Rows written by another process are unknown to the filter: ask SQLite from now on.
    this.evicted = undefined;
    this.young.clear();
    this.old.clear();
    this.dirty.clear();
  }

  private entry(key: string): Entry<V> {
    let entry = this.young.get(key);
    if (entry) return entry;
    entry = this.old.get(key);
    if (!entry) {
      const known = this.evicted?.mayHave(key) ?? true;
      const value = known ? this.codec.load(key) : undefined;
      entry = { value, stored: value !== undefined };
    }
    this.young.set(key, entry);
    return entry;
  }
}
