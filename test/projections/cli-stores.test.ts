/**
 * The report and rebuild CLI over event stores that are not what they should be: a file damaged past its first and last pages (a bad backup), an empty file
 * (an interrupted copy), another SQLite file, an unreachable server. The README promises:
 * "An event store that cannot be opened or read (a damaged file, an unreachable server) is
 * named in one line, and nothing is written."
 */
import { execFile } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { generateHistory } from './history';

const root = resolve(import.meta.dirname, '../..');
let dir: string;
/** A healthy store of 1,500 orders, copied into each case's DATA_DIR. */
let healthy: string;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(data: string, env: Record<string, string>, ...args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'projections/cli.ts'), ...args],
      {
        cwd: root,
        env: { ...process.env, DATA_DIR: data, EVENTSTORE_URL: '', ...env },
        timeout: 60_000,
      },
      (_error, stdout, stderr) => done({ code: child.exitCode ?? -1, stdout, stderr }),
    );
  });
}

/** A DATA_DIR holding a copy of the healthy store. */
function dataDirWithStore(name: string): string {
  const data = join(dir, name);
  mkdirSync(data);
  copyFileSync(healthy, join(data, 'events.sqlite'));
  return data;
}

/**
 * Overwrites one leaf page of the events table, in the middle of the log, with garbage: the
 * file's header, its first and its last events stay readable, as after a bad sector or a
 * backup copied while the file was being written.
 */
function damageMiddle(file: string): void {
  const db = new Database(file, { readonly: true });
  let page: number;
  let size: number;
  try {
    const leaves = db
      .prepare<[], { pageno: number }>(
        "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY pageno",
      )
      .all();
    page = leaves[Math.floor(leaves.length / 2)]!.pageno;
    size = db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(size, 0xff), 0, size, (page - 1) * size);
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-stores-'));
  healthy = join(dir, 'healthy.events.sqlite');
  const store = SqliteEventStore.open(healthy, { synchronous: 'NORMAL' });
  try {
    await generateHistory(store, { orders: 1_500, seed: 11 });
  } finally {
    await store.close();
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a store damaged in its middle (a bad backup restored)', () => {
  it('report: names the event store in one line, with no stack trace, and writes no read models', async () => {
    const data = dataDirWithStore('damaged-report');
    const events = join(data, 'events.sqlite');
    damageMiddle(events);
    const { code, stdout, stderr } = await cli(data, {}, 'report', 'sales');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^[^\n]+\n$/);
    expect(stderr).toContain(`Cannot read the event store at ${events}`);
    expect(existsSync(join(data, 'readmodels.sqlite'))).toBe(false);
  }, 60_000);

  it('rebuild: names the event store in one line, with no stack trace', async () => {
    const data = dataDirWithStore('damaged-rebuild');
    const events = join(data, 'events.sqlite');
    damageMiddle(events);
    const { code, stdout, stderr } = await cli(data, {}, 'rebuild');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^[^\n]+\n$/);
    expect(stderr).toContain(`Cannot read the event store at ${events}`);
  }, 60_000);
});

describe('an events.sqlite that holds no event store', () => {
  it('report: an empty file (an interrupted copy) is refused by name, not reported as a shop with no sales, and stays untouched', async () => {
    const data = join(dir, 'empty-file');
    mkdirSync(data);
    const events = join(data, 'events.sqlite');
    writeFileSync(events, '');
    const { code, stdout, stderr } = await cli(data, {}, 'report', 'sales');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain(events);
    expect(statSync(events).size).toBe(0);
    expect(readdirSync(data)).toEqual(['events.sqlite']);
  }, 60_000);

  it('rebuild: an empty file restored over the store does not replace good read models with empty ones', async () => {
    const data = dataDirWithStore('emptied-store');
    expect((await cli(data, {}, 'rebuild')).code).toBe(0);
    const orders = () => {
      const db = new Database(join(data, 'readmodels.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect(orders()).toBe(1_500);
    // The backup copy was interrupted: events.sqlite is there, but empty.
    writeFileSync(join(data, 'events.sqlite'), '');
    const { code } = await cli(data, {}, 'rebuild');
    expect(code).toBe(1);
    expect(orders()).toBe(1_500);
  }, 60_000);

  it('report: another SQLite file (a copy of the read models) gets no events table written into it', async () => {
    const data = dataDirWithStore('foreign');
    expect((await cli(data, {}, 'report', 'stock')).code).toBe(0);
    const other = join(dir, 'other');
    mkdirSync(other);
    const events = join(other, 'events.sqlite');
    copyFileSync(join(data, 'readmodels.sqlite'), events);
    const { code, stderr } = await cli(other, {}, 'report', 'stock');
    expect(code).toBe(1);
    expect(stderr).toContain(events);
    const db = new Database(events, { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'")
        .all();
      expect(tables).toEqual([]);
    } finally {
      db.close();
    }
  }, 60_000);
});

describe('an unreachable EVENTSTORE_URL', () => {
  it('is named in one line and nothing is written: not even the DATA_DIR folder', async () => {
    const data = join(dir, 'not-there-yet', 'data');
    const { code, stderr } = await cli(
      data,
      { EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false' },
      'report',
      'sales',
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Cannot read the event store at esdb:\/\/127\.0\.0\.1:1/);
    expect(existsSync(join(dir, 'not-there-yet'))).toBe(false);
  }, 60_000);
});

describe('npm run report -- orders --csv', () => {
  it('exports every order, not the first page of them (a CSV has no title to say so)', async () => {
    const data = dataDirWithStore('orders-csv');
    const all = await cli(data, {}, 'report', 'orders', '--csv');
    expect(all.code).toBe(0);
    const rows = all.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(1_500);
    expect(new Set(rows.map((row) => row.split(',')[0])).size).toBe(1_500);
    // Asked for a page, it gets that page.
    const page = await cli(data, {}, 'report', 'orders', '--csv', '--page', '2');
    expect(page.stdout.trim().split('\n').slice(1)).toEqual(rows.slice(50, 100));
  }, 60_000);
});
