/**
 * `npm run bench:store`: the embedded event store's durable append rate and catch-up read
 * rate, for synchronous=FULL and NORMAL, against the targets of issue 2, and what a stream
 * read costs a connection that reads while another one commits (the request thread's lot).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventData, ExpectedRevision } from '../../server/eventstore/port';
import { SqliteEventStore, type Synchronous } from '../../server/eventstore/sqlite';

const SINGLE_APPENDS = 20_000;
const TRIPLE_APPENDS = 5_000;
const CONCURRENT_APPENDS = 20_000;
const CONCURRENT_WRITERS = 16;
const CATCH_UP_EVENTS = 200_000;
const EVENTS_PER_STREAM = 10;

interface Row {
  mode: Synchronous;
  metric: string;
  value: string;
  target: string;
  pass: boolean | undefined;
}

function event(orderNo: number): EventData {
  const orderId = `ord_${orderNo}`;
  return {
    id: randomUUID(),
    type: 'PaymentCompleted',
    data: {
      orderId,
      stripeEventId: `evt_${randomUUID().replaceAll('-', '')}`,
      checkoutSessionId: `cs_test_${randomUUID().replaceAll('-', '')}`,
      paymentIntentId: `pi_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      amount: 4_250,
      currency: 'eur',
    },
    metadata: { correlationId: orderId, causationId: randomUUID() },
  };
}

/** Sequential appends of `size` events, a new stream every EVENTS_PER_STREAM events, each with its exact expected revision. */
async function sequentialAppends(
  store: SqliteEventStore,
  appends: number,
  size: number,
  tag: string,
) {
  const latencies = new Float64Array(appends);
  const perStream = Math.max(1, Math.floor(EVENTS_PER_STREAM / size));
  let expected: ExpectedRevision = 'no_stream';
  const started = performance.now();
  for (let i = 0; i < appends; i++) {
    if (i % perStream === 0) expected = 'no_stream';
    const batch = Array.from({ length: size }, () => event(i));
    const t0 = performance.now();
    const result = await store.append(`order-${tag}-${Math.floor(i / perStream)}`, batch, {
      expectedRevision: expected,
    });
    latencies[i] = performance.now() - t0;
    expected = result.nextExpectedRevision;
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  const pct = (p: number) => latencies[Math.min(appends - 1, Math.floor(appends * p))]!;
  return { perSecond: appends / seconds, p50: pct(0.5), p99: pct(0.99) };
}

/** Many callers awaiting appends at once: what group commit buys. */
async function concurrentAppends(store: SqliteEventStore, tag: string) {
  const perWriter = CONCURRENT_APPENDS / CONCURRENT_WRITERS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT_WRITERS }, async (_, w) => {
      let expected: ExpectedRevision = 'no_stream';
      for (let i = 0; i < perWriter; i++) {
        const result = await store.append(`order-${tag}-${w}`, [event(i)], {
          expectedRevision: expected,
        });
        expected = result.nextExpectedRevision;
      }
    }),
  );
  return CONCURRENT_APPENDS / ((performance.now() - started) / 1000);
}

async function catchUp(store: SqliteEventStore) {
  const [head] = await store.readAll({ direction: 'backwards', maxCount: 1 });
  const existing = Number(head?.position ?? 0n);
  for (let seeded = existing, s = 0; seeded < CATCH_UP_EVENTS; seeded += 500, s++) {
    const batch = Array.from({ length: 500 }, (_, i) => event(i));
    await store.append(`order-seed-${s}`, batch, { expectedRevision: 'no_stream' });
  }
  const started = performance.now();
  let count = 0;
  const subscription = store.subscribeToAll({ fromPosition: 'start' });
  for await (const message of subscription) {
    if (message.kind === 'caughtUp') break;
    count++;
  }
  await subscription.close();
  return { count, perSecond: count / ((performance.now() - started) / 1000) };
}

/**
 * Stream reads on connections that only read, each read right after another connection's
 * commit, as the request thread reads beside the writer thread: SQLite then empties the
 * reader's page cache, at a cost that grows with how full the cache has ever been.
 */
async function readsBesideCommits(
  store: SqliteEventStore,
  path: string,
  cacheSizesMb: number[],
): Promise<Map<number, number>> {
  const readers = cacheSizesMb.map((cacheMb) => SqliteEventStore.open(path, { cacheMb }));
  const spent = cacheSizesMb.map(() => 0);
  const rounds = 3_000;
  const streams = SINGLE_APPENDS / EVENTS_PER_STREAM;
  try {
    // A server's connection has had quiet spells that filled its cache (and SQLite's table of
    // cached pages, which keeps its size): read every stream once with no commit between.
    for (const reader of readers) {
      await reader.readAll();
      for (let s = 0; s < streams; s++) await reader.readStream(`order-single-${s}`);
    }
    for (let i = 0; i < rounds; i++) {
      for (const [r, reader] of readers.entries()) {
        await store.append(`order-beside-${i}-${r}`, [event(i)], { expectedRevision: 'no_stream' });
        const stream = `order-single-${(i * 7_919) % streams}`;
        const started = performance.now();
        await reader.readStream(stream);
        spent[r]! += performance.now() - started;
      }
    }
  } finally {
    await Promise.all(readers.map((reader) => reader.close()));
  }
  return new Map(cacheSizesMb.map((mb, r) => [mb, (spent[r]! / rounds) * 1000]));
}

/**
 * The disk's own limit: bare one-row commits on a plain WAL table, no store code. If this is
 * below a target, the disk (or another process's fsyncs) is the bottleneck, not the store.
 */
function bareCommits(mode: Synchronous, dir: string): number {
  const db = new Database(join(dir, `bare-${mode}.db`));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${mode}`);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const commit = db.transaction(() => insert.run('x'.repeat(300)));
    const commits = 5_000;
    const started = performance.now();
    for (let i = 0; i < commits; i++) commit.immediate();
    return commits / ((performance.now() - started) / 1000);
  } finally {
    db.close();
  }
}

async function benchMode(mode: Synchronous, dir: string): Promise<Row[]> {
  const store = SqliteEventStore.open(join(dir, `${mode}.db`), { synchronous: mode });
  try {
    const bare = bareCommits(mode, dir);
    await sequentialAppends(store, 500, 1, 'warmup');
    const single = await sequentialAppends(store, SINGLE_APPENDS, 1, 'single');
    const triple = await sequentialAppends(store, TRIPLE_APPENDS, 3, 'triple');
    const concurrent = await concurrentAppends(store, 'concurrent');
    const reads = await catchUp(store);
    const full = mode === 'FULL';
    const beside = full
      ? await readsBesideCommits(store, join(dir, `${mode}.db`), [2, 16])
      : undefined;
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    return [
      {
        mode,
        metric: 'disk baseline: bare one-row commits/s (no store code)',
        value: fmt(bare),
        target: '-',
        pass: undefined,
      },
      {
        mode,
        metric: `single-event appends/s (${fmt(SINGLE_APPENDS)} sequential)`,
        // Each awaits its own fsync: the disk's own commit rate, measured just before, bounds it.
        value: `${fmt(single.perSecond)} (disk alone ${fmt(bare)})`,
        target: full ? '>= 4,000' : '-',
        pass: full ? single.perSecond >= 4_000 : undefined,
      },
      {
        mode,
        metric: 'single-event append p50 / p99 (ms)',
        value: `${single.p50.toFixed(3)} / ${single.p99.toFixed(3)}`,
        target: full ? 'p99 < 2' : '-',
        pass: full ? single.p99 < 2 : undefined,
      },
      {
        mode,
        metric: `three-event appends/s (${fmt(TRIPLE_APPENDS)} sequential)`,
        value: `${fmt(triple.perSecond)} (${fmt(triple.perSecond * 3)} events/s)`,
        target: '-',
        pass: undefined,
      },
      {
        mode,
        metric: 'three-event append p50 / p99 (ms)',
        value: `${triple.p50.toFixed(3)} / ${triple.p99.toFixed(3)}`,
        target: '-',
        pass: undefined,
      },
      {
        mode,
        metric: `single-event appends/s, ${CONCURRENT_WRITERS} concurrent writers (group commit)`,
        value: fmt(concurrent),
        target: '-',
        pass: undefined,
      },
      {
        mode,
        metric: `catch-up read events/s (subscribeToAll, ${fmt(reads.count)} events)`,
        value: fmt(reads.perSecond),
        target: '>= 150,000',
        pass: reads.perSecond >= 150_000,
      },
      ...(beside
        ? [
            {
              mode,
              metric: 'stream read after another connection commits, page cache 2 MB / 16 MB (us)',
              value: [...beside.values()].map((us) => us.toFixed(1)).join(' / '),
              target: '-',
              pass: undefined,
            },
          ]
        : []),
    ];
  } finally {
    await store.close();
  }
}

function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [
    r.mode,
    r.metric,
    r.value,
    r.target,
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
  ]);
  const header = ['synchronous', 'metric', 'measured', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

const dir = mkdtempSync(join(tmpdir(), 'stripe-cart-bench-'));
try {
  console.log(
    `Event store benchmark: ${cpus().length} CPUs, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, files in ${tmpdir()}, load average ${loadavg()[0]!.toFixed(2)} at start`,
  );
  const rows = [...(await benchMode('FULL', dir)), ...(await benchMode('NORMAL', dir))];
  printTable(rows);
  if (rows.some((r) => r.pass === false)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
