import { describe, expect, test } from 'vitest';
import type { LineProblem, StockInfo } from '../../widget/state/problems';
import { fixFor, lineIssues, refusalIssue } from '../../widget/state/problems';

const products = (...list: StockInfo[]) => new Map(list.map((p) => [p.sku, p]));
const eur = (sku: string, available: number): StockInfo => ({ sku, available, currency: 'eur' });

describe('line problems', () => {
  test('the live catalog marks sold-out, short, unknown and other-currency lines', () => {
    const issues = lineIssues(
      [
        { sku: 'OK', quantity: 1 },
        { sku: 'GONE', quantity: 1 },
        { sku: 'SHORT', quantity: 3 },
        { sku: 'UNKNOWN', quantity: 1 },
        { sku: 'USD', quantity: 1 },
      ],
      products(eur('OK', 5), eur('GONE', 0), eur('SHORT', 2), {
        sku: 'USD',
        available: 9,
        currency: 'usd',
      }),
      new Map(),
    );
    expect(Object.fromEntries(issues)).toEqual({
      GONE: { kind: 'sold_out' },
      SHORT: { kind: 'only_left', available: 2 },
      UNKNOWN: { kind: 'unavailable' },
      USD: { kind: 'currency', currency: 'usd' },
    });
  });

  test('before the catalog arrives, the server refusal speaks for the line', () => {
    const refusals = new Map<string, LineProblem>([
      ['A', { sku: 'A', code: 'insufficient_stock', available: 1, requested: 2 }],
    ]);
    expect(lineIssues([{ sku: 'A', quantity: 2 }], null, refusals).get('A')).toEqual({
      kind: 'only_left',
      available: 1,
    });
  });

  test('the catalog wins over an older refusal when it sees a problem', () => {
    const refusals = new Map<string, LineProblem>([
      ['A', { sku: 'A', code: 'insufficient_stock', available: 1, requested: 2 }],
    ]);
    const issues = lineIssues([{ sku: 'A', quantity: 2 }], products(eur('A', 0)), refusals);
    expect(issues.get('A')).toEqual({ kind: 'sold_out' });
  });

  test('every refusal code becomes an issue with a one-click fix', () => {
    const cases: [LineProblem, string, string][] = [
      [{ sku: 'A', code: 'sold_out' }, 'sold_out', 'remove'],
      [{ sku: 'A', code: 'delisted' }, 'unavailable', 'remove'],
      [{ sku: 'A', code: 'unknown_sku' }, 'unavailable', 'remove'],
      [{ sku: 'A', code: 'currency_mismatch', currency: 'usd' }, 'currency', 'remove'],
      [{ sku: 'A', code: 'insufficient_stock', available: 0, requested: 1 }, 'sold_out', 'remove'],
      [
        { sku: 'A', code: 'insufficient_stock', available: 2, requested: 5 },
        'only_left',
        'setQuantity',
      ],
      [
        { sku: 'A', code: 'amount_too_large', maxQuantity: 2, requested: 3 },
        'too_much',
        'setQuantity',
      ],
      [{ sku: 'A', code: 'amount_too_large', maxQuantity: 0, requested: 1 }, 'too_much', 'remove'],
    ];
    for (const [problem, kind, fix] of cases) {
      const issue = refusalIssue(problem);
      expect(issue.kind).toBe(kind);
      expect(fixFor(issue).type).toBe(fix);
    }
    expect(fixFor({ kind: 'only_left', available: 2 })).toEqual({
      type: 'setQuantity',
      quantity: 2,
    });
    expect(fixFor({ kind: 'too_much', max: 4 })).toEqual({ type: 'setQuantity', quantity: 4 });
  });
});
