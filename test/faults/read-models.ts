/**
 * Read models seen from outside the server: its checkpoint, every table's rows, and a
 * rebuild from a copy of the events by the real CLI (`npm run projections -- rebuild`).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { READ_MODEL_TABLES } from '../../projections/schema';

const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

type Row = Record<string, unknown>;

function withReadOnly<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.defaultSafeIntegers(true);
    return read(db);
  } finally {
    db.close();
  }
}

export const readModelsOf = (dataDir: string) => path.join(dataDir, 'readmodels.sqlite');
const eventsOf = (dataDir: string) => path.join(dataDir, 'events.sqlite');

/** The `$all` position of the last event in the store (-1 when empty). */
export function headPosition(dataDir: string): bigint {
  return withReadOnly(eventsOf(dataDir), (db) => {
    const row = db.prepare('SELECT MAX(position) AS head FROM events').get() as {
      head: bigint | null;
    };
    return row.head ?? -1n;
  });
}

/** The read models' checkpoint (-1 before the first commit). */
export function checkpointPosition(dataDir: string): bigint {
  return withReadOnly(readModelsOf(dataDir), (db) => {
    const row = db.prepare('SELECT position FROM checkpoint WHERE id = 1').get() as
      | { position: bigint }
      | undefined;
    return row?.position ?? -1n;
  });
}

/** Every row of every read-model table, in a stable order. */
export function readModelRows(file: string): Record<string, Row[]> {
  return withReadOnly(file, (db) =>
    Object.fromEntries(
      READ_MODEL_TABLES.map((table) => {
        const columns = (db.prepare(`SELECT * FROM ${table} LIMIT 0`).columns() as unknown[])
          .length;
        const order = Array.from({ length: columns }, (_, i) => i + 1).join(', ');
        return [table, db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Row[]];
      }),
    ),
  );
}

/** Per table, the rows one side has and the other has not (at most `sample` of each). */
export function diffRows(
  live: Record<string, Row[]>,
  rebuilt: Record<string, Row[]>,
  sample = 3,
): Record<string, { liveOnly: Row[]; rebuiltOnly: Row[]; count: number }> {
  const key = (row: Row) =>
    JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const diff: Record<string, { liveOnly: Row[]; rebuiltOnly: Row[]; count: number }> = {};
  for (const table of READ_MODEL_TABLES) {
    const a = new Set((live[table] ?? []).map(key));
    const b = new Set((rebuilt[table] ?? []).map(key));
    const liveOnly = [...a].filter((k) => !b.has(k));
    const rebuiltOnly = [...b].filter((k) => !a.has(k));
    if (liveOnly.length + rebuiltOnly.length === 0 && a.size === b.size) continue;
    diff[table] = {
      count: liveOnly.length + rebuiltOnly.length,
      liveOnly: liveOnly.slice(0, sample).map((k) => JSON.parse(k) as Row),
      rebuiltOnly: rebuiltOnly.slice(0, sample).map((k) => JSON.parse(k) as Row),
    };
  }
  return diff;
}

/**
 * Copies the events (SQLite's online backup, safe while a server writes) into `copyDir`
 * and rebuilds read models there with the projections CLI; returns the rebuilt file.
 */
export async function rebuildFromCopy(dataDir: string, copyDir: string): Promise<string> {
  const source = new Database(eventsOf(dataDir), { readonly: true, fileMustExist: true });
  try {
    await source.backup(eventsOf(copyDir));
  } finally {
    source.close();
  }
  await run(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'projections/cli.ts'), 'rebuild'],
    {
      cwd: root,
      env: { ...process.env, DATA_DIR: copyDir, EVENTSTORE_URL: '' },
      timeout: 60_000,
    },
  );
  return readModelsOf(copyDir);
}
