/**
 * `npm run -s projections -- rebuild`: rebuilds the read models from the events into a new
 * file and swaps it in (the old ones stay if the rebuild fails).
 * `npm run -s report -- sales|funnel|orders|stock [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 *   [--status S] [--email TEXT] [--page N] [--page-size N] [--csv]`: catches the read models
 * up (progress on stderr), then prints a report as an aligned table or CSV on stdout.
 * (`-s` keeps npm's own banner off stdout.)
 * Settings come from the environment as for the server: DATA_DIR, EVENTSTORE_URL, SQLITE_SYNCHRONOUS.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadStorageSettings } from '../server/config';
import { MalformedEventError } from '../server/domain/event-check';
import { openEventStore } from '../server/eventstore/open';
import type { EventStore } from '../server/eventstore/port';
import { progressBar } from './progress';
import { DateRangeInput } from './queries';
import { ReadModelsInUseError, rebuildReadModels } from './rebuild';
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

const REPORT_USAGE = `Usage: npm run -s report -- ${reportNames.join('|')} [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--status S] [--email TEXT] [--page N] [--page-size N] [--csv]`;

function parseReportArgs(args: string[]) {
  try {
    return parseArgs({
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
  } catch (error) {
    // parseArgs throws a TypeError for the user's mistakes (unknown option, missing value...).
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError(`${(error as Error).message}\n${REPORT_USAGE}`);
    }
    throw error;
  }
}

async function report(store: EventStore, readModelsPath: string, args: string[]): Promise<void> {
  const { values, positionals } = parseReportArgs(args);
  const name = positionals[0];
  if (!reportNames.includes(name as ReportName)) throw new UsageError(REPORT_USAGE);
  // A bad range fails now, not after a catch-up that can take seconds.
  DateRangeInput.parse({ from: values.from, to: values.to });
  // A missing or stale file catches up first, which can take a while: show how far it is.
  const bar = progressBar(process.stderr, await headPosition(store));
  const runner = await startProjectionRunner({
    store,
    dbPath: readModelsPath,
    onProgress: (progress) => bar.update(progress),
    // A failure rejects caughtUp, which main reports in one line: no need to log it too.
    onError: () => {},
  });
  try {
    await runner.caughtUp;
    bar.done();
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
      'Usage: npm run -s projections -- rebuild | npm run -s report -- sales|funnel|orders|stock',
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

/** Errors the operator can act on, said in their own words; anything else is a bug and keeps its stack. */
const OPERATOR_ERRORS = [UsageError, ConfigError, ReadModelsInUseError, MalformedEventError];

function describeError(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return issue?.path.length
      ? `Invalid option ${String(issue.path[0])}: ${issue.message}`
      : String(issue?.message);
  }
  if (OPERATOR_ERRORS.some((type) => error instanceof type)) return (error as Error).message;
  return String((error as Error).stack ?? error);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${describeError(error)}\n`);
  process.exitCode = 1;
});
