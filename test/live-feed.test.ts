/**
 * The live feed's notices say only "read again": those that arrive while a watcher is busy
 * (a slow client, a long read) count as one, so nothing piles up however long it lags.
 */
import { describe, expect, it } from 'vitest';
import { LiveFeed, PRODUCTS } from '../server/live-feed';

const change = { orderIds: ['o-1'], skus: ['SKU-1'], position: 1n };
const settledSoon = <T>(promise: Promise<T>) =>
  Promise.race([promise, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 20))]);

describe('LiveFeed.changes', () => {
  it('gives one notice for any number of changes made while the watcher was not reading', async () => {
    const feed = new LiveFeed();
    const changes = feed.changes(PRODUCTS, undefined)[Symbol.asyncIterator]();
    for (let i = 0; i < 100_000; i++) feed.publish(change);
    expect(await changes.next()).toEqual({ value: PRODUCTS, done: false });
    expect(await settledSoon(changes.next())).toBe('pending');
    await changes.return?.();
  });

  it('wakes a watcher already waiting, and ends it on abort, leaving no listener', async () => {
    const feed = new LiveFeed();
    const abort = new AbortController();
    const changes = feed.changes('order-o-1', abort.signal)[Symbol.asyncIterator]();
    const waiting = changes.next();
    expect(feed.watchers('order-o-1')).toBe(1);
    feed.publish(change);
    expect(await waiting).toEqual({ value: 'order-o-1', done: false });
    const next = changes.next();
    abort.abort();
    expect(await next).toEqual({ value: undefined, done: true });
    expect(await changes.next()).toEqual({ value: undefined, done: true });
    expect(feed.watchers('order-o-1')).toBe(0);
  });

  it('ends at once for a signal already aborted', async () => {
    const feed = new LiveFeed();
    const abort = new AbortController();
    abort.abort();
    const changes = feed.changes(PRODUCTS, abort.signal)[Symbol.asyncIterator]();
    expect(await changes.next()).toEqual({ value: undefined, done: true });
    expect(feed.watchers(PRODUCTS)).toBe(0);
  });
});

describe('LiveFeed.shared', () => {
  it('computes once per change however many watchers ask, and again after a change', async () => {
    const feed = new LiveFeed();
    let computed = 0;
    const listing = () => feed.shared(PRODUCTS, async () => ++computed);
    expect(await Promise.all(Array.from({ length: 1_000 }, listing))).toEqual(Array(1_000).fill(1));
    feed.publish(change);
    expect(await Promise.all([listing(), listing()])).toEqual([2, 2]);
    // A change with nobody watching still makes the next read fresh.
    feed.publish(change);
    expect(await listing()).toBe(3);
  });

  it('keeps no failure: the next watcher computes again', async () => {
    const feed = new LiveFeed();
    let calls = 0;
    const flaky = () =>
      feed.shared(PRODUCTS, async () => {
        calls += 1;
        if (calls === 1) throw new Error('store busy');
        return 'listing';
      });
    await expect(flaky()).rejects.toThrow('store busy');
    expect(await flaky()).toBe('listing');
  });
});
