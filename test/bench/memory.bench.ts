/**
 * `npm run bench:memory`: the server's resident memory over a store of 1,000,000 realistic
 * events (test/projections/history.ts), once its read models have caught up and it has
 * served a few of every kind of request: catalog, order views, checkouts on the local
 * sandbox and their payment webhooks. VmRSS and the peak VmHWM come from /proc. Measured
 * first as `npm run serve` runs it (bundled, plain node, heap cap), then from source through
 * tsx for comparison (BENCH_MEMORY_BUNDLED=0 skips the first). BENCH_MEMORY_EVENTS sets the
 * number of events (default 1,000,000).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Sandbox, startSandbox } from '../../demo/sandbox';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { generateHistory } from '../projections/history';
import { bundleServer, startBundledServer } from './load/bundled-server';
import { describeMachine, machineLine } from './load/machine';
import { type BenchRow, fmt, report } from './load/results';
import {
  eventsFile,
  memoryOf,
  projectionsCaughtUp,
  startBenchServer,
  tempDir,
  WEBHOOK_SECRET,
} from './load/server';
import { completedEventBody, loadTemplates, signature } from './load/stripe-events';

const EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 1_000_000);
/** The generator's average, to ask it for about EVENTS events. */
const EVENTS_PER_ORDER = 5.45;
const ORDERS_PER_DAY = 2_000;
const SHOP = 'https://shop.example';

const log = (line: string) => process.stderr.write(`[memory] ${line}\n`);

async function generate(dataDir: string): Promise<number> {
  const orders = Math.ceil(EVENTS / EVENTS_PER_ORDER);
  const days = orders / ORDERS_PER_DAY;
  const store = SqliteEventStore.open(eventsFile(dataDir), { synchronous: 'NORMAL' });
  try {
    const history = await generateHistory(store, {
      orders,
      seed: 7,
      ordersPerDay: ORDERS_PER_DAY,
      // The history ends about now, as a live shop's would.
      startAt: new Date(Date.now() - (days + 1) * 86_400_000).toISOString(),
      pipeline: 5_000,
    });
    return history.events;
  } finally {
    await store.close();
  }
}

function sampleOrderIds(dataDir: string, count: number): string[] {
  const db = new Database(eventsFile(dataDir), { readonly: true });
  try {
    return (
      db
        .prepare(
          "SELECT stream_id FROM events WHERE type = 'CartValidated' ORDER BY random() LIMIT ?",
        )
        .all(count) as { stream_id: string }[]
    ).map((row) => row.stream_id.slice('order-'.length));
  } finally {
    db.close();
  }
}

async function trpc(url: string, path: string, input?: unknown, method = 'GET'): Promise<unknown> {
  const response =
    method === 'GET'
      ? await fetch(
          `${url}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
        )
      : await fetch(`${url}/trpc/${path}`, {
          method,
          headers: { 'content-type': 'application/json', origin: SHOP },
          body: JSON.stringify(input),
        });
  const body = (await response.json()) as { result?: { data: unknown } };
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return body.result?.data;
}

/** A few of every kind of request, as a shop would send them: pages, order views, checkouts, payments. */
async function exercise(
  url: string,
  dataDir: string,
  sandbox: Sandbox,
  tag: string,
  pid: number,
): Promise<void> {
  // RSS after each kind of request, to say which one grows the process.
  const phase = (name: string) => log(`${tag}: after ${name}: ${fmt(memoryOf(pid).rssMb)} MB`);
  for (let i = 0; i < 20; i++) await trpc(url, 'catalog.list');
  phase('20 catalog.list');
  for (const orderId of sampleOrderIds(dataDir, 200)) await trpc(url, 'order.get', { orderId });
  phase('200 order.get');
  const templates = loadTemplates();
  for (let i = 0; i < 50; i++) {
    const email = `memory-${tag}-${i}@example.com`;
    const { orderId, checkoutUrl } = (await trpc(
      url,
      'checkout.start',
      {
        checkoutId: crypto.randomUUID(),
        items: [{ sku: `sku-00${i % 3}`, quantity: 1 }],
        email,
        returnUrl: `${SHOP}/cart`,
      },
      'POST',
    )) as { orderId: string; checkoutUrl: string };
    const session = sandbox.session(new URL(checkoutUrl).pathname.split('/').pop()!)!;
    const body = completedEventBody(
      templates,
      {
        orderId,
        sessionId: session.id,
        paymentIntentId: `pi_memory_${tag}_${i}`,
        email,
        amount: session.amount_total,
        currency: session.currency,
        expiresAt: session.expires_at,
      },
      Date.now() * 100 + i,
    );
    const response = await fetch(`${url}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signature(body, WEBHOOK_SECRET),
      },
      body,
    });
    const answer = await response.text();
    if (!answer.includes('PaymentCompleted')) throw new Error(`webhook not recorded: ${answer}`);
    if (i === 0) phase('the first checkout.start and its webhook');
  }
  phase('50 checkout.start and their webhooks');
}

interface Measured {
  catchUpSeconds: number;
  caughtUp: { rssMb: number; peakMb: number };
  after: { rssMb: number; peakMb: number };
}

/** Catch up from scratch (no read models yet), serve the requests, read the memory. */
async function measure(
  dataDir: string,
  sandbox: Sandbox,
  tag: string,
  server: { url: string; pid: number },
): Promise<Measured> {
  const catchUpSeconds = await projectionsCaughtUp(dataDir, 8 * 60_000);
  const caughtUp = memoryOf(server.pid);
  await exercise(server.url, dataDir, sandbox, tag, server.pid);
  const after = memoryOf(server.pid);
  log(`${tag}: caught up in ${fmt(catchUpSeconds, 1)} s, ${JSON.stringify({ caughtUp, after })}`);
  return { catchUpSeconds, caughtUp, after };
}

interface HeapReport {
  before: { rss: number; heapTotal: number; heapUsed: number; external: number };
  afterGc: { rss: number; heapTotal: number; heapUsed: number; external: number };
}

/** Asks the server (heap-report.mjs) for its heap before and after a full GC; call it last. */
async function heapReport(pid: number, file: string): Promise<HeapReport> {
  process.kill(pid, 'SIGWINCH');
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as HeapReport;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server wrote no heap report');
}

function dropReadModels(dataDir: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    rmSync(join(dataDir, `readmodels.sqlite${suffix}`), { force: true });
  }
}

/** The same measurement on a bundled build; the read models are dropped after, for the next run to rebuild. */
async function onBundled(
  dataDir: string,
  sandbox: Sandbox,
  env: Record<string, string>,
): Promise<Measured> {
  const buildDir = tempDir('memory-build');
  try {
    const server = await startBundledServer(bundleServer(buildDir.path), env);
    try {
      return await measure(dataDir, sandbox, 'bundled', server);
    } finally {
      await server.stop();
      dropReadModels(dataDir);
    }
  } finally {
    buildDir.remove();
  }
}

export async function benchMemory(): Promise<BenchRow[]> {
  const dir = tempDir('memory');
  const sandbox = await startSandbox();
  try {
    log(machineLine(describeMachine()));
    const generating = performance.now();
    const events = await generate(dir.path);
    log(`generated ${fmt(events)} events in ${fmt((performance.now() - generating) / 1000, 1)} s`);
    const env = {
      DATA_DIR: dir.path,
      STRIPE_API_URL: sandbox.url,
      ALLOWED_ORIGINS: SHOP,
      CHECKOUT_RATE_LIMIT: '1000',
      // The history's abandoned checkouts would all be swept in the first minute: a one-off.
      SWEEP_INTERVAL_SECONDS: '0',
    };

    const bundled =
      process.env.BENCH_MEMORY_BUNDLED === '0'
        ? undefined
        : await onBundled(dir.path, sandbox, env);

    const heapFile = join(dir.path, 'heap.json');
    const server = await startBenchServer(
      dir.path,
      {
        ...env,
        BENCH_HEAP_FILE: heapFile,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc --import ${join(import.meta.dirname, 'load/heap-report.mjs')}`,
      },
      'memory',
    );
    let tsx: Measured;
    let heap: HeapReport;
    try {
      tsx = await measure(dir.path, sandbox, 'tsx', { url: server.url, pid: server.child.pid! });
      heap = await heapReport(server.child.pid!, heapFile);
      log(`heap: ${JSON.stringify(heap)}`);
    } finally {
      await server.stop();
    }
    const mb = (m: { rssMb: number; peakMb: number }) =>
      `${fmt(m.rssMb)} MB (peak ${fmt(m.peakMb)} MB)`;
    return [
      ...(bundled
        ? [
            {
              workload: `Server RSS after ${fmt(events)} stored events, as npm run serve runs it (caught up, requests served)`,
              figure: mb(bundled.after),
              target: '< 200 MB',
              pass: bundled.after.rssMb < 200,
            },
          ]
        : []),
      {
        workload: `Same, run from source through tsx (npm start, tests)`,
        figure: mb(tsx.after),
        target: bundled ? '(information)' : '< 200 MB',
        pass: bundled ? null : tsx.after.rssMb < 200,
      },
      {
        workload: 'Server V8 heap then: used / total; live after a full GC; RSS after that GC',
        figure: `${fmt(heap.before.heapUsed)} / ${fmt(heap.before.heapTotal)} MB; ${fmt(heap.afterGc.heapUsed)} MB; ${fmt(heap.afterGc.rss)} MB`,
        target: '(information)',
        pass: null,
      },
      {
        workload: 'Server read models catch-up on start (in the server process)',
        figure: `${fmt(tsx.catchUpSeconds, 1)} s (${fmt(events / tsx.catchUpSeconds)} events/s), RSS then ${fmt(tsx.caughtUp.rssMb)} MB`,
        target: '(information)',
        pass: null,
      },
    ];
  } finally {
    await sandbox.close();
    dir.remove();
  }
}

report('Server memory', await benchMemory());
