/** Every row of every read-model table, in a stable order: two equal dumps mean identical read models. */
import Database from 'better-sqlite3';
import { READ_MODEL_TABLES } from '../../projections/schema';

export function dumpReadModels(path: string): Record<string, string[]> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(
      READ_MODEL_TABLES.map((table) => [
        table,
        db
          .prepare(`SELECT * FROM ${table}`)
          .raw()
          .all()
          .map((row) => JSON.stringify(row))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}
