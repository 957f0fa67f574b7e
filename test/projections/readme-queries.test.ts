/**
 * The example queries of projections/README.md, run against read models rebuilt from a
 * generated history: an analyst copying them gets rows, not an error or one empty group.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildReadModels } from '../../projections/rebuild';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { generateHistory } from './history';

const readme = readFileSync(resolve(import.meta.dirname, '../../projections/README.md'), 'utf8');
const queries = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]!);
const dir = mkdtempSync(join(tmpdir(), 'readme-queries-'));
let db: Database.Database;

beforeAll(async () => {
  const store = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
  try {
    // Twenty orders a day: about two weeks.
    await generateHistory(store, { orders: 300, seed: 4, ordersPerDay: 20 });
    await rebuildReadModels({ store, dbPath: join(dir, 'readmodels.sqlite') });
  } finally {
    await store.close();
  }
  db = new Database(join(dir, 'readmodels.sqlite'), { readonly: true });
}, 60_000);

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('projections/README.md example queries', () => {
  it('are there to run', () => {
    expect(queries.length).toBeGreaterThanOrEqual(3);
  });

  it.each(queries.map((sql) => [sql.split('\n')[0]!, sql]))('%s runs', (_first, sql) => {
    expect(() => db.prepare(sql).all()).not.toThrow();
  });

  it('gives revenue per week, each week named by its Monday', () => {
    const weekly = queries.find((sql) => sql.includes('week_starting'))!;
    const rows = db.prepare(weekly).all() as { week_starting: string | null }[];
    const weeks = new Set(rows.map((row) => row.week_starting));
    expect(weeks.size).toBeGreaterThan(1);
    for (const week of weeks) expect(new Date(`${week}T00:00:00Z`).getUTCDay()).toBe(1);
  });

  it("gives what each product kept, adding up to each currency's weeks", () => {
    const sum = (sql: string, currency: string) =>
      (db.prepare(sql).all() as { currency: string; refunded: number; kept: number }[])
        .filter((row) => row.currency === currency)
        .reduce((total, row) => [total[0]! + row.refunded, total[1]! + row.kept], [0, 0]);
    const products = queries.find(
      (sql) => sql.includes('AS kept') && sql.includes('sales_by_product'),
    )!;
    const weekly = queries.find((sql) => sql.includes('week_starting'))!;
    for (const currency of ['eur', 'usd']) {
      const [refunded, kept] = sum(products, currency);
      expect(refunded, currency).toBeGreaterThan(0);
      expect([refunded, kept], currency).toEqual(sum(weekly, currency));
    }
  });
});
