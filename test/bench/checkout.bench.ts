/**
 * `npm run bench:checkout`: `checkout.start` (price, validate, reserve stock, create the
 * Stripe session on the local sandbox, record the start) at 64 connections from a second
 * process, against issue 7's target of 500/s with p99 under 50 ms; and the sandbox's own
 * time per create-session call, measured alone, so the server's share can be told apart;
 * then calls at a steady rate, for the latency below saturation.
 * BENCH_CHECKOUT_SECONDS sets the measured run's length (default 10).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startSandbox } from '../../demo/sandbox';
import { bundleServer } from './load/bundled-server';
import type { CheckoutLoadResult } from './load/checkout-load';
import { watchAppends } from './load/histogram';
import type { LoadSummary } from './load/load-report';
import { readReport } from './load/load-report';
import { describeMachine, machineLine } from './load/machine';
import { type BenchRow, fmt, report } from './load/results';
import type { SandboxLoadResult } from './load/sandbox-load';
import {
  cpuClock,
  eventsFile,
  projectionsCaughtUp,
  runLoadProcess,
  SECRET_KEY,
  startBenchServer,
  startProfile,
  tempDir,
} from './load/server';
import { benchCatalog, RETURN_URL, SHOP_ORIGIN } from './load/shop';

const CONNECTIONS = 64;
const SECONDS = Number(process.env.BENCH_CHECKOUT_SECONDS ?? 10);
const skus = benchCatalog.map((p) => p.sku);
/** About half the rate one core reached in recent runs. */
const PACED_RATE = 150;

const log = (line: string) => process.stderr.write(`[checkout] ${line}\n`);

async function start(url: string, seconds: number, rate?: number) {
  const stdout = await runLoadProcess(
    'checkout-load.ts',
    { url, returnUrl: RETURN_URL, skus, connections: CONNECTIONS, seconds, rate },
    seconds * 1000 + 60_000,
  );
  return readReport<CheckoutLoadResult>(stdout);
}

function startsInStore(dataDir: string): number {
  const db = new Database(eventsFile(dataDir), { readonly: true });
  try {
    const row = db
      .prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'CheckoutStarted'")
      .get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

const clean = (s: LoadSummary) => s.non2xx === 0 && s.errors === 0 && s.timeouts === 0;

export async function benchCheckout(): Promise<BenchRow[]> {
  const dir = tempDir('checkout');
  const build = tempDir('checkout-build');
  const sandbox = await startSandbox();
  try {
    log(machineLine(describeMachine()));
    const catalogFile = join(dir.path, 'catalog.json');
    writeFileSync(catalogFile, JSON.stringify({ products: benchCatalog }));
    const server = await startBenchServer(
      dir.path,
      {
        STRIPE_API_URL: sandbox.url,
        CATALOG_FILE: catalogFile,
        ALLOWED_ORIGINS: SHOP_ORIGIN,
        // The defaults (30 per minute per IP, 20 units per shopper, 60 per IP) would refuse a load test.
        CHECKOUT_RATE_LIMIT: '100000',
        MAX_HELD_UNITS: '100000',
        MAX_HELD_UNITS_PER_CLIENT: '100000',
      },
      'checkout',
      bundleServer(build.path),
    );
    try {
      const pid = server.child.pid!;
      await projectionsCaughtUp(dir.path, 60_000);
      const warm = await start(server.url, 2);
      log(`warm-up: ${fmt(warm.summary.perSecond)}/s`);
      startProfile(server);
      const cpu = cpuClock(pid);
      // The sandbox answers in this process: its CPU during the run is Stripe's share of the machine.
      const sandboxCpu = cpuClock(process.pid);
      const appends = await watchAppends(server.url);
      const run = await start(server.url, SECONDS);
      const cpuPerCheckoutMs = cpu(run.summary.requests);
      const sandboxCpuMs = sandboxCpu(run.summary.requests).all;
      const appendTimes = await appends();
      log(`checkouts: ${JSON.stringify(run.summary)}`);
      const steady = await start(server.url, SECONDS, PACED_RATE);
      log(`steady checkouts: ${JSON.stringify(steady.summary)}`);
      await server.stop();

      const alone = readReport<SandboxLoadResult>(
        await runLoadProcess(
          'sandbox-load.ts',
          {
            apiUrl: sandbox.url,
            secretKey: SECRET_KEY,
            returnUrl: RETURN_URL,
            sequential: 500,
            connections: CONNECTIONS,
            seconds: 3,
          },
          120_000,
        ),
      );
      log(`sandbox alone: ${JSON.stringify(alone)}`);

      const s = run.summary;
      const stored = startsInStore(dir.path);
      const started = warm.started + run.started + steady.started;
      // A call the load gave up on (or lost its connection on) may still have been stored.
      const givenUp = [warm, run, steady].reduce(
        (n, { summary }) => n + summary.timeouts + summary.errors,
        0,
      );
      const p = steady.summary;
      return [
        {
          workload: `checkout.start/s, ${CONNECTIONS} connections, local sandbox`,
          figure: `${fmt(s.perSecond)}/s${clean(s) ? '' : ` (non-2xx ${s.non2xx}, errors ${s.errors}, timeouts ${s.timeouts})`}`,
          target: '>= 500/s',
          pass: s.perSecond >= 500 && clean(s) && run.refused === 0,
        },
        {
          workload: 'checkout.start latency',
          figure: `p50 ${fmt(s.p50, 1)} / p99 ${fmt(s.p99, 1)} ms`,
          target: 'p99 < 50 ms',
          pass: s.p99 < 50,
        },
        {
          workload:
            'checkout.start: append wait on the request thread (commit and queueing), /metrics',
          figure: appendTimes,
          target: '(information)',
          pass: null,
        },
        {
          workload: `checkout.start at a steady ${PACED_RATE}/s (latency from when due)`,
          figure: `${fmt(p.perSecond)}/s, p50 ${fmt(p.p50, 1)} / p99 ${fmt(p.p99, 1)} ms${clean(p) && steady.refused === 0 ? '' : ` (non-2xx ${p.non2xx}, errors ${p.errors}, refused ${steady.refused})`}`,
          target: '(information)',
          pass: null,
        },
        {
          workload: 'checkout.start: CheckoutStarted in store vs checkouts answered',
          figure: `${fmt(stored)} vs ${fmt(started)}${givenUp ? ` (${givenUp} calls given up)` : ''}`,
          target: 'every answer stored',
          pass: stored >= started && stored <= started + givenUp,
        },
        {
          workload: 'Sandbox alone: create-session, one at a time',
          figure: `p50 ${fmt(alone.sequential.p50, 2)} / p99 ${fmt(alone.sequential.p99, 2)} ms`,
          target: '(information)',
          pass: null,
        },
        {
          workload: `Sandbox alone: create-session, ${CONNECTIONS} at once`,
          figure: `${fmt(alone.concurrent.perSecond)}/s, p50 ${fmt(alone.concurrent.p50, 1)} / p99 ${fmt(alone.concurrent.p99, 1)} ms`,
          target: '(information)',
          pass: null,
        },
        {
          workload: 'checkout.start: CPU per checkout (server; sandbox; load generator)',
          figure: `${fmt(cpuPerCheckoutMs.all, 2)} ms (main thread ${fmt(cpuPerCheckoutMs.main, 2)}); sandbox ${fmt(sandboxCpuMs, 2)} ms; load ${fmt(s.loadCpuMs, 2)} ms`,
          target: '(information)',
          pass: null,
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await sandbox.close();
    dir.remove();
    build.remove();
  }
}

report('checkout.start', await benchCheckout());
