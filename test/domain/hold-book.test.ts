import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HoldBook, PendingHolds } from '../../server/catalog/hold-book';

const uuid = fc.uuid();
/** Mostly UUIDs (the compact path), some of them upper-case or not UUIDs at all (the Map path). */
const orderId = fc.oneof(
  { weight: 6, arbitrary: uuid },
  { weight: 1, arbitrary: uuid.map((id) => id.toUpperCase()) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const operation = fc.oneof(
  fc.record({
    op: fc.constant('set' as const),
    id: orderId,
    units: fc.integer({ min: 0, max: 99 }),
  }),
  fc.record({ op: fc.constant('delete' as const), id: orderId }),
);

describe('HoldBook', () => {
  it('answers exactly as a Map under any sequence of sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400 }), (operations) => {
        const book = new HoldBook();
        const map = new Map<string, number>();
        const seen: string[] = [];
        for (const operation of operations) {
          seen.push(operation.id);
          if (operation.op === 'set') {
            book.set(operation.id, operation.units);
            map.set(operation.id, operation.units);
          } else {
            expect(book.delete(operation.id)).toBe(map.delete(operation.id));
          }
          expect(book.size).toBe(map.size);
        }
        for (const id of seen) {
          expect(book.get(id)).toBe(map.get(id));
          expect(book.has(id)).toBe(map.has(id));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps 100,000 holds through growth and churn: every one found, every deleted one gone', () => {
    const book = new HoldBook();
    const ids = Array.from({ length: 100_000 }, () => crypto.randomUUID());
    for (const [i, id] of ids.entries()) book.set(id, (i % 5) + 1);
    // Release every third: deleted slots must neither hide later keys nor be found again.
    for (const [i, id] of ids.entries()) if (i % 3 === 0) book.delete(id);
    for (let i = 0; i < 20_000; i++) book.set(crypto.randomUUID(), 1);
    expect(book.size).toBe(100_000 - 33_334 + 20_000);
    const wrong = ids.filter((id, i) => book.get(id) !== (i % 3 === 0 ? undefined : (i % 5) + 1));
    expect(wrong).toEqual([]);
  });

  it('tells apart ids that differ in one hex digit, and an upper-case id from its lower-case form', () => {
    const book = new HoldBook();
    const id = '0b8f7c1e-5d2a-4c3b-9e1f-2a3b4c5d6e7f';
    book.set(id, 2);
    expect(book.get('0b8f7c1e-5d2a-4c3b-9e1f-2a3b4c5d6e70')).toBeUndefined();
    expect(book.get(id.toUpperCase())).toBeUndefined();
    book.set(id.toUpperCase(), 5);
    expect([book.get(id), book.get(id.toUpperCase()), book.size]).toEqual([2, 5, 2]);
  });
});

describe('PendingHolds', () => {
  it('answers as its base with the changes applied, and leaves the base as it was', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 100 }),
        fc.array(operation, { maxLength: 100 }),
        (stored, pending) => {
          const base = new HoldBook();
          const expected = new Map<string, number>();
          for (const operation of stored) {
            if (operation.op === 'set') base.set(operation.id, operation.units);
            else base.delete(operation.id);
          }
          const before = new Map([...stored].map(({ id }) => [id, base.get(id)]));
          for (const [id, units] of before) if (units !== undefined) expected.set(id, units);
          const baseSize = base.size;

          const view = new PendingHolds(base);
          for (const operation of pending) {
            if (operation.op === 'set') {
              view.set(operation.id, operation.units);
              expected.set(operation.id, operation.units);
            } else {
              expect(view.delete(operation.id)).toBe(expected.delete(operation.id));
            }
            expect(view.size).toBe(expected.size);
          }
          for (const { id } of [...stored, ...pending]) {
            expect(view.get(id)).toBe(expected.get(id));
            expect(view.has(id)).toBe(expected.has(id));
          }
          // The stored holds are untouched until the events are appended.
          expect(base.size).toBe(baseSize);
          for (const [id, units] of before) expect(base.get(id)).toBe(units);
        },
      ),
      { numRuns: 300 },
    );
  });
});
