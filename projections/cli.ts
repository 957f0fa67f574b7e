/**
 * `npm run projections -- rebuild`: rebuilds the read models from the events into a new
 * file and swaps it in (the old ones stay if the rebuild fails).
 * `npm run report -- sales|funnel|orders|stock [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 *   [--status S] [--email TEXT] [--page N] [--page-size N] [--csv]`: catches the read models
 * up, then prints a report as an aligned table or CSV.
 * Settings come from the environment as for the server: DATA_DIR, EVENTSTORE_URL, SQLITE_SYNCHRONOUS.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadStorageSettings } from '../server/config';
import { openEventStore } from '../server/eventstore/open';
import type { EventStore } from '../server/eventstore/port';
import { progressBar } from './progress';
import { rebuildReadModels } from './rebuild';
import { type ReportName, renderReport, reportNames } from './report';
import { startProjectionRunner } from './runner';

class UsageError extends Error {}

/** Store and read-model locations from the environment, read as the server reads them. */
function settings() {
  const { dataDir, eventstoreUrl, sqliteSynchronous } = loadStorageSettings();
  return {
    store: {
      ...(eventstoreUrl && { eventstoreUrl }),
      sqlitePath: path.join(dataDir, 'events.sqlite'),
      synchronous: sqliteSynchronous,
    },
    readModelsPath: path.join(dataDir, 'readmodels.sqlite'),
  };
}

async function headPosition(store: EventStore): Promise<bigint> {
  const [last] = await store.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 });
  return last?.position ?? 0n;
}

async function rebuild(store: EventStore, readModelsPath: string): Promise<void> {
  const bar = progressBar(process.stderr, await headPosition(store));
  const started = performance.now();
  const { events } = await rebuildReadModels({
    store,
    dbPath: readModelsPath,
    onProgress: (progress) => bar.update(progress),
  });
  bar.done();
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `Rebuilt ${readModelsPath} from ${events} events in ${seconds.toFixed(1)} s (${Math.round(events / seconds)} events/s)\n`,
  );
}

async function report(store: EventStore, readModelsPath: string, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      status: { type: 'string' },
      email: { type: 'string' },
      page: { type: 'string' },
      'page-size': { type: 'string' },
      csv: { type: 'boolean', default: false },
    },
  });
  const name = positionals[0];
  if (!reportNames.includes(name as ReportName)) {
    throw new UsageError(
      `Usage: npm run report -- ${reportNames.join('|')} [--from YYYY-MM-DD --to YYYY-MM-DD --status --email --csv]`,
    );
  }
  const runner = await startProjectionRunner({ store, dbPath: readModelsPath });
  try {
    await runner.caughtUp;
    const output = renderReport(runner.db, name as ReportName, {
      from: values.from,
      to: values.to,
      status: values.status,
      email: values.email,
      page: values.page === undefined ? undefined : Number(values.page),
      pageSize: values['page-size'] === undefined ? undefined : Number(values['page-size']),
      csv: values.csv,
    });
    process.stdout.write(`${output}\n`);
  } finally {
    await runner.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'rebuild' && command !== 'report') {
    throw new UsageError(
      'Usage: npm run projections -- rebuild | npm run report -- sales|funnel|orders|stock',
    );
  }
  const config = settings();
  const store = await openEventStore(config.store);
  try {
    if (command === 'rebuild') await rebuild(store, config.readModelsPath);
    else await report(store, config.readModelsPath, rest);
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message =
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof z.ZodError ||
    (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ? error instanceof z.ZodError
        ? `Invalid option ${String(error.issues[0]?.path[0])}: ${error.issues[0]?.message}`
        : (error as Error).message
      : String((error as Error).stack ?? error);
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
});
