import { describe, expect, test } from 'vitest';
import {
  announceSaved,
  loadCart,
  onCartSaved,
  orderMarks,
  parseSaved,
  safeStorage,
  saveCart,
  storageKey,
} from '../../widget/state/storage';

class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

describe('cart storage', () => {
  test('one key per API origin, whatever the path', () => {
    expect(storageKey('https://shop.example/api/')).toBe('stripe-cart:v1:https://shop.example');
    expect(storageKey('https://shop.example')).toBe(storageKey('https://shop.example/x'));
    expect(storageKey('https://a.example')).not.toBe(storageKey('https://b.example'));
  });

  test('what is saved loads back', () => {
    const storage = new MemoryStorage();
    const key = storageKey('https://shop.example');
    saveCart(storage, key, { lines: [{ sku: 'A', quantity: 2 }], email: 'a@b.co' });
    expect(loadCart(storage, key)).toEqual({ lines: [{ sku: 'A', quantity: 2 }], email: 'a@b.co' });
  });

  test("a Pay's checkout loads back with its cart; a malformed one is dropped", () => {
    const storage = new MemoryStorage();
    const id = '0b7e6a52-3c1f-4d8e-9a61-2f4c5b6d7e8f';
    const replaces = '1c8f7b63-4d2a-4e9f-8b72-3a5d6c7e8f90';
    const cart = { lines: [{ sku: 'A', quantity: 1 }], email: 'a@b.co' };
    for (const checkout of [
      { id, for: '[[{"sku":"A","quantity":1}],"a@b.co"]' },
      { id, for: '', replaces: [replaces, id], order: replaces },
    ]) {
      saveCart(storage, 'k', { ...cart, checkout });
      expect(loadCart(storage, 'k')).toEqual({ ...cart, checkout });
    }
    saveCart(storage, 'k', cart);
    expect(loadCart(storage, 'k')).toEqual(cart);
    for (const foreign of [
      'x',
      7,
      null,
      { id: 'x', for: '' },
      { id: `${id}?`, for: '' },
      { id },
      { id, for: 7 },
      { id, for: '', replaces },
      { id, for: '', replaces: ['x'] },
      { id, for: '', order: 'x' },
    ]) {
      expect(parseSaved(JSON.stringify({ ...cart, checkout: foreign }))).toEqual(cart);
    }
  });

  test('order marks are shared by every page of the browser, the latest 50 kept', () => {
    const storage = new MemoryStorage();
    const here = orderMarks(storage, 'k');
    here.set('out:1', true);
    here.set('paid:1', true);
    const elsewhere = orderMarks(storage, 'k');
    expect([elsewhere.has('out:1'), elsewhere.has('paid:1'), elsewhere.has('out:2')]).toEqual([
      true,
      true,
      false,
    ]);
    elsewhere.set('out:1', false);
    expect([here.has('out:1'), here.has('paid:1')]).toEqual([false, true]);
    // The cart's own entry is untouched, so no other tab hears a cart change.
    expect(storage.getItem('k')).toBe(null);
    for (let n = 0; n < 60; n++) here.set(`out:${n}`, true);
    expect([here.has('out:59'), here.has('out:10'), here.has('out:9'), here.has('paid:1')]).toEqual(
      [true, true, false, false],
    );
  });

  test('order marks without storage, or with one that throws, last as long as the page', () => {
    const hostile = new MemoryStorage();
    hostile.getItem = () => {
      throw new Error('SecurityError');
    };
    hostile.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    for (const storage of [undefined, hostile]) {
      const marks = orderMarks(storage, 'k');
      expect(marks.has('paid:x')).toBe(false);
      expect(() => marks.set('paid:x', true)).not.toThrow();
      expect(marks.has('paid:x')).toBe(true);
      marks.set('paid:x', false);
      expect(marks.has('paid:x')).toBe(false);
    }
  });

  test('missing, corrupt or foreign values load as an empty cart', () => {
    expect(parseSaved(null)).toEqual({ lines: [], email: '' });
    expect(parseSaved('{not json')).toEqual({ lines: [], email: '' });
    expect(parseSaved('42')).toEqual({ lines: [], email: '' });
    expect(parseSaved('{"lines":[{"sku":"A","quantity":-1}],"email":7}')).toEqual({
      lines: [],
      email: '',
    });
  });

  test('a storage that throws (privacy mode, quota) never breaks the cart', () => {
    const hostile = new MemoryStorage();
    hostile.getItem = () => {
      throw new Error('SecurityError');
    };
    hostile.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    expect(loadCart(hostile, 'k')).toEqual({ lines: [], email: '' });
    expect(() => saveCart(hostile, 'k', { lines: [], email: '' })).not.toThrow();
    expect(loadCart(undefined, 'k')).toEqual({ lines: [], email: '' });
  });

  test('where storage is forbidden, memory stands in: what is saved is read back, its keys listed', () => {
    // No window here: reading localStorage throws, as in a sandboxed frame.
    const storage = safeStorage();
    const key = storageKey('https://shop.example');
    const cart = { lines: [{ sku: 'A', quantity: 1 }], email: 'a@b.co' };
    saveCart(storage, key, cart);
    expect(loadCart(safeStorage(), key)).toEqual(cart);
    expect(Object.keys(safeStorage())).toEqual([key]);
    expect(safeStorage().getItem('getItem')).toBe(null);
  });

  test('another tab saving the same key is heard; other keys are not', () => {
    const target = new EventTarget() as unknown as Window;
    const heard: unknown[] = [];
    const stop = onCartSaved(target, 'mine', (cart) => heard.push(cart));
    const fire = (key: string, newValue: string | null) => {
      const event = new Event('storage') as StorageEvent;
      Object.assign(event, { key, newValue });
      target.dispatchEvent(event);
    };
    fire('other', '{"lines":[{"sku":"X","quantity":1}]}');
    fire('mine', '{"lines":[{"sku":"A","quantity":3}],"email":""}');
    stop();
    fire('mine', '{"lines":[]}');
    expect(heard).toEqual([{ lines: [{ sku: 'A', quantity: 3 }], email: '' }]);
  });

  test('another cart of this window saving the same key is heard; its sender and other keys are not', () => {
    // Browsers fire `storage` only in the other tabs: a header's and a menu's cart on one
    // page must hear each other through the window itself.
    const target = new EventTarget() as unknown as Window;
    const header = { name: 'header' };
    const menu = { name: 'menu' };
    const heard: [string, unknown][] = [];
    const stops = [header, menu].map((cart) =>
      onCartSaved(target, 'mine', (saved) => heard.push([cart.name, saved]), cart),
    );
    const saved = { lines: [{ sku: 'A', quantity: 1 }], email: '' };
    announceSaved(target, 'mine', saved, header);
    announceSaved(target, 'other', { lines: [], email: '' }, menu);
    for (const stop of stops) stop();
    announceSaved(target, 'mine', saved, menu);
    expect(heard).toEqual([['menu', saved]]);
  });
});
