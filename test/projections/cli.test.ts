/**
 * `npm run projections` and `npm run report` as an operator meets them: the CLI in its own
 * process over a DATA_DIR, judged by its stdout, stderr and exit code.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjectionRunner } from '../../projections/runner';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { generateHistory } from './history';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'projections-cli-'));
const dataDir = join(dir, 'data');
const brokenDir = join(dir, 'broken');
const damagedDir = join(dir, 'damaged');
/** A DATA_DIR with a typo: no such folder. */
const mistypedDir = join(dir, 'dta');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as `npm run -s` starts it (without npm, whose own lines are not the CLI's). */
function cli(data: string, ...args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'projections/cli.ts'), ...args],
      { cwd: root, env: { ...process.env, DATA_DIR: data, EVENTSTORE_URL: '' }, timeout: 60_000 },
      (_error, stdout, stderr) => done({ code: child.exitCode ?? -1, stdout, stderr }),
    );
  });
}

const report = (...args: string[]) => cli(dataDir, 'report', ...args);
const malformed =
  /^Event \d+ \(StockReserved in product-sku-000\) does not match its schema: [^\n]*\n$/;

function removeReadModels(data: string): void {
  for (const suffix of ['', '-wal', '-shm'])
    rmSync(join(data, `readmodels.sqlite${suffix}`), { force: true });
}

beforeAll(async () => {
  for (const [path, orders] of [
    [dataDir, 300],
    [brokenDir, 50],
    [damagedDir, 20],
  ] as const) {
    mkdirSync(path);
    const store = SqliteEventStore.open(join(path, 'events.sqlite'), { synchronous: 'NORMAL' });
    try {
      await generateHistory(store, { orders, seed: 5 });
      if (path === brokenDir) {
        // Read by the rebuild's stock worker, whose errors cross a thread.
        await store.append(
          'product-sku-000',
          [{ id: crypto.randomUUID(), type: 'StockReserved', data: { quantity: 'two' } }],
          { expectedRevision: 'any' },
        );
      }
    } finally {
      await store.close();
    }
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run projections and npm run report', () => {
  it.each([
    [['--help']],
    [['rebuild', '-h']],
    [['report', '--help']],
    [['report', 'sales', '--help']],
    [['report', 'orders', '--status', 'paid', '-h']],
  ])('print their usage on stdout for %j and do nothing else', async (args) => {
    const { code, stdout, stderr } = await cli(mistypedDir, ...args);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Usage: npm run -s (projections|report) -- /);
    expect(existsSync(mistypedDir)).toBe(false);
  });

  it.each([['report', 'sales'], ['rebuild']])(
    'refuse a DATA_DIR without an event store and create nothing (%s)',
    async (...args) => {
      const { code, stdout, stderr } = await cli(mistypedDir, ...args);
      expect({ code, stdout, stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr: `No event store at ${join(mistypedDir, 'events.sqlite')}: set DATA_DIR to the server's data folder, or EVENTSTORE_URL\n`,
      });
      expect(existsSync(mistypedDir)).toBe(false);
    },
  );

  it('leave a folder without an event store empty', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await cli(empty, 'rebuild')).code).toBe(1);
    expect((await cli(empty, 'report', 'stock')).code).toBe(1);
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe('npm run report', () => {
  it.each([
    [
      'an option without its value',
      ['sales', '--from'],
      "Option '--from <value>' argument missing",
    ],
    ['a value for a flag', ['sales', '--csv=yes'], "Option '--csv' does not take an argument"],
    ['an unknown option', ['sales', '--bogus'], "Unknown option '--bogus'"],
  ])('answers %s with one line and the usage', async (_case, args, problem) => {
    const { code, stdout, stderr } = await report(...args);
    const [line, usage, ...rest] = stderr.split('\n');
    expect(line).toContain(problem);
    expect(usage).toMatch(/^Usage: /);
    expect(rest).toEqual(['']);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
  });

  it('lists every option in its usage', async () => {
    const { code, stderr } = await report('nope');
    expect(code).toBe(1);
    for (const option of ['from', 'to', 'status', 'email', 'page', 'page-size', 'csv'])
      expect(stderr).toMatch(new RegExp(`--${option}(?![\\w-])`));
  });

  it.each([
    ['--status', 'bogus'],
    ['--page', '0'],
    ['--page-size', '0'],
  ])('refuses %s %s by its flag, in one line, before catching up', async (flag, value) => {
    removeReadModels(dataDir);
    const { code, stdout, stderr } = await report('orders', flag, value);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^Invalid option ${flag}: [^\\n]+\\n$`));
    expect(existsSync(join(dataDir, 'readmodels.sqlite'))).toBe(false);
  });

  it('refuses a second report name', async () => {
    const { code, stdout, stderr } = await report('sales', 'stock');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^Unexpected argument 'stock'\nUsage: /);
  });

  it('says which file is damaged and how to rebuild it, in one line', async () => {
    const readModels = join(damagedDir, 'readmodels.sqlite');
    writeFileSync(readModels, randomBytes(16_384));
    const { code, stdout, stderr } = await cli(damagedDir, 'report', 'sales');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^[^\n]+\n$/);
    expect(stderr).toContain(`${readModels} is damaged`);
    expect(stderr).toContain('npm run -s projections -- rebuild');

    expect((await cli(damagedDir, 'rebuild')).code).toBe(0);
    expect((await cli(damagedDir, 'report', 'sales')).code).toBe(0);
  });

  it('refuses a date range that ends before it starts, in one line', async () => {
    const { code, stdout, stderr } = await report(
      'sales',
      '--from',
      '2024-02-02',
      '--to',
      '2024-02-01',
    );
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Invalid option --from: must not be after the last day asked for (to)\n',
    });
  });

  it('shows its catch-up on stderr and keeps stdout for the report', async () => {
    removeReadModels(dataDir);
    const first = await report('funnel', '--csv');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^\[#+\] +100\.0% +[\d,]+ events +[\d,]+ events\/s/);
    expect(first.stdout).toMatch(/^day,carts,/);

    const again = await report('funnel', '--csv');
    expect(again).toEqual({ code: 0, stdout: first.stdout, stderr: '' });
  });

  it('reports the refunds Stripe made each day beside the revenue, as the events have them', async () => {
    const { code, stdout } = await report('sales', '--csv');
    expect(code).toBe(0);
    const [header, ...rows] = stdout.trim().split('\n');
    expect(header).toBe(
      'day,currency,orders,units,revenue,average_order_value,refunded,lost_to_disputes',
    );
    const reported = new Map<string, number>();
    for (const row of rows) {
      const cells = row.split(',');
      reported.set(cells[1]!, (reported.get(cells[1]!) ?? 0) + Number(cells[6]));
    }
    const store = SqliteEventStore.open(join(dataDir, 'events.sqlite'), { synchronous: 'NORMAL' });
    const recorded = new Map<string, number>();
    try {
      for (const event of await store.readAll()) {
        // A refund that failed afterwards is taken back.
        const sign = { PaymentRefunded: 1, RefundFailed: -1 }[event.type as string];
        if (sign === undefined) continue;
        const { currency, amount } = event.data as { currency: string; amount: number };
        recorded.set(currency, (recorded.get(currency) ?? 0) + sign * amount);
      }
    } finally {
      await store.close();
    }
    expect(recorded.size).toBeGreaterThan(0);
    expect(reported).toEqual(recorded);
  });

  it("gives each product its share of the refunds and disputes lost, adding up to the days'", async () => {
    const tables = await report('sales');
    const days = await report('sales', '--csv');
    expect([tables.code, days.code]).toEqual([0, 0]);
    const section = tables.stdout.split('\n\n').find((s) => s.startsWith('Products by revenue'))!;
    const [, header, , ...rows] = section.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual([
      'sku',
      'name',
      'currency',
      'orders',
      'units',
      'revenue',
      'refunded',
      'lost_to_disputes',
    ]);
    // Two-decimal currencies only in the history: "1,234.56 EUR" is 123456.
    const minor = (cell: string) => Math.round(Number(cell.replace(/[^\d.-]/g, '')) * 100);
    const byProducts = new Map<string, number[]>();
    for (const row of rows) {
      const [, , currency, , , , refunded, lost] = row.split(/\s{2,}/);
      const sums = byProducts.get(currency!) ?? [0, 0];
      byProducts.set(currency!, [sums[0]! + minor(refunded!), sums[1]! + minor(lost!)]);
    }
    const byDays = new Map<string, number[]>();
    for (const row of days.stdout.trim().split('\n').slice(1)) {
      const cells = row.split(',');
      const sums = byDays.get(cells[1]!) ?? [0, 0];
      byDays.set(cells[1]!, [sums[0]! + Number(cells[6]), sums[1]! + Number(cells[7])]);
    }
    expect([...byDays.values()].flat().some((sum) => sum !== 0)).toBe(true);
    expect(byProducts).toEqual(byDays);
  });

  it('says which event is malformed, in one line', async () => {
    removeReadModels(brokenDir);
    const { code, stderr } = await cli(brokenDir, 'report', 'stock');
    expect(code).toBe(1);
    expect(stderr).toMatch(malformed);
  });
});

describe('an event store the CLI cannot read', () => {
  it.each([['report', 'sales'], ['rebuild']])(
    '%s names the damaged events.sqlite in one line and writes no read models',
    async (...args) => {
      const data = join(dir, `damaged-events-${args[0]}`);
      mkdirSync(data);
      const events = join(data, 'events.sqlite');
      writeFileSync(events, randomBytes(16_384));
      const { code, stdout, stderr } = await cli(data, ...args);
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toMatch(/^[^\n]+\n$/);
      expect(stderr).toContain(`Cannot read the event store at ${events}`);
      expect(existsSync(join(data, 'readmodels.sqlite'))).toBe(false);
    },
  );

  it('names an unreachable EVENTSTORE_URL without its password, even one holding / ? or #', async () => {
    const data = join(dir, 'esdb-unreachable');
    mkdirSync(data);
    for (const password of ['Sup3r/Secret', 'Tr0ub4dor?x', 'pa#ss']) {
      const { code, stderr } = await new Promise<Outcome>((done) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', join(root, 'projections/cli.ts'), 'report', 'sales'],
          {
            cwd: root,
            env: {
              ...process.env,
              DATA_DIR: data,
              EVENTSTORE_URL: `esdb://admin:${password}@127.0.0.1:1?tls=false`,
            },
            timeout: 60_000,
          },
          (_error, stdout, stderr) => done({ code: child.exitCode ?? -1, stdout, stderr }),
        );
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^Cannot read the event store at esdb:\/\/127\.0\.0\.1:1\?tls=false /);
      expect(stderr).not.toContain(password.slice(0, 3));
    }
  });

  it('names a read-model path that cannot be opened, in one line', async () => {
    const data = join(dir, 'read-models-folder');
    mkdirSync(join(data, 'readmodels.sqlite'), { recursive: true });
    await SqliteEventStore.open(join(data, 'events.sqlite')).close();
    const { code, stdout, stderr } = await cli(data, 'report', 'stock');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^[^\n]+\n$/);
    expect(stderr).toContain(join(data, 'readmodels.sqlite'));
  });
});

describe('npm run projections -- rebuild', () => {
  it.each([
    ['--bogus', "Unknown option '--bogus'"],
    ['now', "Unexpected argument 'now'"],
  ])('refuses %s with one line and the usage, rebuilding nothing', async (arg, problem) => {
    removeReadModels(dataDir);
    const { code, stdout, stderr } = await cli(dataDir, 'rebuild', arg);
    const [line, usage, ...rest] = stderr.split('\n');
    expect(line).toContain(problem);
    expect(usage).toMatch(/^Usage: npm run -s projections -- rebuild/);
    expect(rest).toEqual(['']);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(existsSync(join(dataDir, 'readmodels.sqlite'))).toBe(false);
  });

  it('refuses at once, in one line, while another process has the read models open', async () => {
    const store = SqliteEventStore.open(join(dataDir, 'events.sqlite'), { synchronous: 'NORMAL' });
    const runner = await startProjectionRunner({
      store,
      dbPath: join(dataDir, 'readmodels.sqlite'),
    });
    try {
      await runner.caughtUp;
      const { code, stderr } = await cli(dataDir, 'rebuild');
      expect({ code, stderr }).toEqual({
        code: 1,
        stderr: `${join(dataDir, 'readmodels.sqlite')} is open in another process: stop the servers before rebuilding\n`,
      });
    } finally {
      await runner.close();
      await store.close();
    }
  });

  it('names a read-model path it cannot write, in one line', async () => {
    const data = join(dir, 'rebuild-into-folder');
    mkdirSync(join(data, 'readmodels.sqlite'), { recursive: true });
    await SqliteEventStore.open(join(data, 'events.sqlite')).close();
    const { code, stdout, stderr } = await cli(data, 'rebuild');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(
      /^Cannot write the read models at [^\n]+: DATA_DIR must be a folder this user may write\n$/,
    );
    expect(stderr).toContain(join(data, 'readmodels.sqlite'));
  });

  it('says which event is malformed, in one line', async () => {
    const { code, stderr } = await cli(brokenDir, 'rebuild');
    expect(code).toBe(1);
    expect(stderr).toMatch(malformed);
  });
});
