import { describe, expect, test } from 'vitest';
import type { CartLine } from '../../widget/state/cart';
import { itemCount, MAX_LINES, parseLines, reduceCart, sameLines } from '../../widget/state/cart';

const cart = (...lines: [string, number][]): CartLine[] =>
  lines.map(([sku, quantity]) => ({ sku, quantity }));

describe('cart reducer', () => {
  test('adding a new sku appends a line; adding it again raises its quantity', () => {
    const one = reduceCart([], { type: 'add', sku: 'A', quantity: 1 });
    expect(one).toEqual(cart(['A', 1]));
    expect(reduceCart(one, { type: 'add', sku: 'A', quantity: 2 })).toEqual(cart(['A', 3]));
  });

  test('adding is capped by the stock given and by 99 a line', () => {
    expect(reduceCart([], { type: 'add', sku: 'A', quantity: 5, max: 2 })).toEqual(cart(['A', 2]));
    expect(reduceCart(cart(['A', 98]), { type: 'add', sku: 'A', quantity: 5 })).toEqual(
      cart(['A', 99]),
    );
  });

  test('a lower stock never takes away what is already in the cart', () => {
    const lines = cart(['A', 3]);
    expect(reduceCart(lines, { type: 'add', sku: 'A', quantity: 1, max: 1 })).toBe(lines);
    expect(reduceCart(lines, { type: 'setQuantity', sku: 'A', quantity: 4, max: 1 })).toBe(lines);
  });

  test('a paid order takes out only its own quantities; lines added besides stay', () => {
    const lines = cart(['A', 3], ['B', 1], ['C', 2]);
    const paid = cart(['A', 1], ['B', 1], ['D', 4]);
    expect(reduceCart(lines, { type: 'paid', lines: paid })).toEqual(cart(['A', 2], ['C', 2]));
    expect(reduceCart(cart(['C', 2]), { type: 'paid', lines: paid })).toEqual(cart(['C', 2]));
  });

  test('zero, negative or non-numeric additions change nothing', () => {
    const lines = cart(['A', 1]);
    for (const quantity of [0, -2, Number.NaN]) {
      expect(reduceCart(lines, { type: 'add', sku: 'A', quantity })).toBe(lines);
    }
  });

  test('setting a quantity below 1 removes the line; setting the same one changes nothing', () => {
    const lines = cart(['A', 2], ['B', 1]);
    expect(reduceCart(lines, { type: 'setQuantity', sku: 'A', quantity: 0 })).toEqual(
      cart(['B', 1]),
    );
    expect(reduceCart(lines, { type: 'setQuantity', sku: 'A', quantity: 2 })).toBe(lines);
    expect(reduceCart(lines, { type: 'setQuantity', sku: 'A', quantity: 1 })).toEqual(
      cart(['A', 1], ['B', 1]),
    );
  });

  test('remove and clear drop lines, and return the same array when there is nothing to drop', () => {
    const lines = cart(['A', 2], ['B', 1]);
    expect(reduceCart(lines, { type: 'remove', sku: 'A' })).toEqual(cart(['B', 1]));
    expect(reduceCart(lines, { type: 'remove', sku: 'Z' })).toBe(lines);
    expect(reduceCart(lines, { type: 'clear' })).toEqual([]);
    const empty: CartLine[] = [];
    expect(reduceCart(empty, { type: 'clear' })).toBe(empty);
  });

  test('a cart holds at most 50 lines, as the server accepts', () => {
    const full = Array.from({ length: MAX_LINES }, (_, i) => ({ sku: `S${i}`, quantity: 1 }));
    expect(reduceCart(full, { type: 'add', sku: 'NEW', quantity: 1 })).toBe(full);
  });

  test('itemCount sums quantities', () => {
    expect(itemCount(cart(['A', 2], ['B', 3]))).toBe(5);
  });

  test('sameLines: a stored cart matches the lines it was saved from, and no other', () => {
    const lines = reduceCart(cart(['A', 2]), { type: 'add', sku: 'B', quantity: 1 });
    expect(sameLines(parseLines(JSON.parse(JSON.stringify(lines))), lines)).toBe(true);
    expect(sameLines(cart(['A', 2], ['B', 2]), lines)).toBe(false);
    expect(sameLines(cart(['B', 1], ['A', 2]), lines)).toBe(false);
    expect(sameLines(cart(['A', 2]), lines)).toBe(false);
  });

  test('parseLines keeps only well-formed lines, each sku once', () => {
    expect(
      parseLines([
        { sku: 'A', quantity: 2 },
        { sku: 'A', quantity: 1 },
        { sku: '', quantity: 1 },
        { sku: 'B', quantity: 1.5 },
        { sku: 'C', quantity: 100 },
        { sku: 'D', quantity: '2' },
        null,
        'E',
        { sku: 'F', quantity: 1 },
      ]),
    ).toEqual(cart(['A', 2], ['F', 1]));
    expect(parseLines({ sku: 'A' })).toEqual([]);
  });
});
