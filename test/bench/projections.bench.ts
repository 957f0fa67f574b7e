/**
 * `npm run bench:projections`: rebuilds the read models from ~1,000,000 generated realistic
 * events (events/s, peak RSS of the rebuilding process) and measures the live lag from an
 * append to the read model (p50/p99), against the targets of issue 4. The rebuild runs as
 * `npm run projections -- rebuild` does (`rebuildReadModels`, same Node flags).
 * BENCH_EVENTS overrides the number of events (e.g. 200000 for a quick run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getOrderView } from '../../projections/queries';
import { rebuildReadModels } from '../../projections/rebuild';
import { startProjectionRunner } from '../../projections/runner';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { generateHistory } from '../projections/history';

const EVENTS_PER_ORDER = 5.4;
const LIVE_SAMPLES = 2_000;
/** As `npm run projections -- rebuild` runs: a capped old space makes V8 collect before RSS grows. */
const REBUILD_NODE_FLAGS = ['--max-old-space-size=128'];

interface RebuildResult {
  events: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Child mode: rebuild from scratch as `npm run projections -- rebuild` does, and report, so peak RSS is the rebuild's own. */
async function rebuildChild(storePath: string, dbPath: string): Promise<void> {
  const store = SqliteEventStore.open(storePath, { synchronous: 'NORMAL' });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { events } = await rebuildReadModels({ store, dbPath });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await store.close();
  const result: RebuildResult = {
    events,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function liveLag(
  storePath: string,
  dbPath: string,
): Promise<{ p50: number; p99: number; max: number }> {
  const store = SqliteEventStore.open(storePath, { synchronous: 'NORMAL' });
  const runner = await startProjectionRunner({ store, dbPath });
  await runner.caughtUp;
  const lags: number[] = [];
  try {
    for (let i = 0; i < LIVE_SAMPLES; i++) {
      const orderId = crypto.randomUUID();
      const at = new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString();
      const visible = new Promise<number>((resolve) => {
        const off = runner.onChange((change) => {
          if (!change.orderIds.includes(orderId)) return;
          off();
          resolve(performance.now());
        });
      });
      const sent = performance.now();
      await store.append(
        `order-${orderId}`,
        [
          {
            id: crypto.randomUUID(),
            type: 'CartValidated',
            data: {
              orderId,
              checkoutId: crypto.randomUUID(),
              lines: [
                {
                  sku: 'sku-000',
                  name: 'Cap 0',
                  image: '',
                  unitAmount: 1500,
                  quantity: 1,
                  amount: 1500,
                },
              ],
              currency: 'eur',
              total: 1500,
              email: 'bench@example.com',
              origin: 'https://shop.example',
              returnUrl: 'https://shop.example/',
              at,
            },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      lags.push((await visible) - sent);
      if (getOrderView(runner.db, orderId) === null)
        throw new Error(`order ${orderId} not in the read model`);
    }
  } finally {
    await runner.close();
    await store.close();
  }
  lags.sort((a, b) => a - b);
  return { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1)! };
}

async function main(): Promise<void> {
  const targetEvents = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-projections-'));
  const storePath = join(dir, 'events.sqlite');
  const dbPath = join(dir, 'readmodels.sqlite');
  try {
    console.log(
      `${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const generating = performance.now();
    const store = SqliteEventStore.open(storePath, { synchronous: 'NORMAL' });
    let lastReport = 0;
    const history = await generateHistory(store, {
      orders: Math.ceil(targetEvents / EVENTS_PER_ORDER),
      seed: 1,
      ordersPerDay: 2_000,
      pipeline: 5_000,
      onProgress: ({ events }) => {
        if (events - lastReport < 100_000) return;
        lastReport = events;
        process.stderr.write(`  generated ${events.toLocaleString('en')} events\n`);
      },
    });
    await store.close();
    console.log(
      `Generated ${history.events.toLocaleString('en')} events (${history.orders.toLocaleString('en')} orders) in ${((performance.now() - generating) / 1000).toFixed(1)} s`,
    );

    // A real rebuild reads a log long on disk: let the kernel finish writing the generated
    // one back first, or its writeback competes with the rebuild for the two cores.
    spawnSync('sync');
    const child = spawnSync(
      process.execPath,
      [
        ...REBUILD_NODE_FLAGS,
        '--import',
        'tsx',
        import.meta.filename,
        '--rebuild',
        storePath,
        dbPath,
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        timeout: 15 * 60_000,
      },
    );
    if (child.status !== 0) throw new Error(`rebuild failed: ${child.error ?? child.status}`);
    const rebuild = JSON.parse(child.stdout) as RebuildResult;
    const rate = rebuild.events / rebuild.seconds;
    const cpuRate = rebuild.events / rebuild.cpuSeconds;
    console.log(
      `Rebuilt ${rebuild.events.toLocaleString('en')} events in ${rebuild.seconds.toFixed(1)} s wall, ${rebuild.cpuSeconds.toFixed(1)} s CPU`,
    );

    const lag = await liveLag(storePath, dbPath);

    const rows: [string, string, string, boolean][] = [
      [
        'rebuild rate (wall)',
        `${Math.round(rate).toLocaleString('en')} events/s`,
        '>= 100,000 events/s',
        rate >= 100_000,
      ],
      [
        'rebuild rate (per CPU second)',
        `${Math.round(cpuRate).toLocaleString('en')} events/s`,
        '(information)',
        true,
      ],
      [
        'rebuild peak RSS',
        `${rebuild.peakRssMb.toFixed(0)} MB`,
        '< 300 MB',
        rebuild.peakRssMb < 300,
      ],
      ['live lag p50 (append -> read model)', `${lag.p50.toFixed(2)} ms`, '(information)', true],
      ['live lag p99 (append -> read model)', `${lag.p99.toFixed(2)} ms`, '< 50 ms', lag.p99 < 50],
      ['live lag max', `${lag.max.toFixed(2)} ms`, '(information)', true],
    ];
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => String(r[i]).length), 6));
    console.log(
      `\n${'metric'.padEnd(widths[0]!)}  ${'value'.padEnd(widths[1]!)}  ${'target'.padEnd(widths[2]!)}  result`,
    );
    for (const [metric, value, target, pass] of rows) {
      const result = target === '(information)' ? '' : pass ? 'PASS' : 'FAIL';
      console.log(
        `${metric.padEnd(widths[0]!)}  ${value.padEnd(widths[1]!)}  ${target.padEnd(widths[2]!)}  ${result}`,
      );
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--rebuild') await rebuildChild(process.argv[3]!, process.argv[4]!);
else await main();
