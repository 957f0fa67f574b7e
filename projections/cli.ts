/**
 * `npm run -s projections -- rebuild`: rebuilds the read models from the events into a new
 * file and swaps it in (the old ones stay if the rebuild fails).
 * `npm run -s report -- sales|funnel|orders|stock [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 *   [--status S] [--email TEXT] [--page N] [--page-size N] [--csv]`: catches the read models
 * up (progress on stderr), then prints a report as an aligned table or CSV on stdout.
 * `-h`/`--help` anywhere prints the usage and does nothing else.
 * (`-s` keeps npm's own banner off stdout.)
 * Settings come from the environment as for the server: DATA_DIR, EVENTSTORE_URL, SQLITE_SYNCHRONOUS.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { ConfigError, loadStorageSettings, withoutCredentials } from '../server/config';
import { MalformedEventError } from '../server/domain/event-check';
import { type EventStoreSettings, openEventStore } from '../server/eventstore/open';
import type { EventStore } from '../server/eventstore/port';
import { progressBar } from './progress';
import { OrdersReportInput } from './queries';
import { ReadModelsInUseError, rebuildReadModels } from './rebuild';
import { type ReportName, type ReportOptions, renderReport, reportNames } from './report';
import { startProjectionRunner } from './runner';
import { readModelsPathIn } from './schema';

class UsageError extends Error {}

/** SQLite cannot read the read-model file; a rebuild replaces it, since it holds nothing the events do not. */
class DamagedReadModelsError extends Error {
  constructor(path: string, cause: Error) {
    super(
      `${path} is damaged (${cause.message}): \`npm run -s projections -- rebuild\` rebuilds it from the events`,
    );
  }
}

/** The read models' file or folder cannot be written: named, with what to check. */
class UnwritableReadModelsError extends Error {
  constructor(path: string, cause: Error) {
    super(
      `Cannot write the read models at ${path} (${cause.message}): DATA_DIR must be a folder this user may write`,
    );
  }
}

/** SQLite's and the file system's ways of saying a file cannot be made or written there. */
const UNWRITABLE = [
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_PERM',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'EROFS',
];

/** The event store cannot be opened or read: its file or server is named, and nothing is written. */
class UnreadableEventStoreError extends Error {
  constructor(where: string, cause: Error) {
    super(
      `Cannot read the event store at ${where} (${cause.message}): check DATA_DIR or EVENTSTORE_URL, or restore the file from a backup`,
    );
  }
}

/** Store and read-model locations from the environment, read as the server reads them. */
function settings() {
  const { dataDir, eventstoreUrl, sqliteSynchronous } = loadStorageSettings();
  const sqlitePath = path.join(dataDir, 'events.sqlite');
  // Opening a missing file creates an empty store: a mistyped DATA_DIR would report nothing
  // and rebuild empty read models in the wrong folder.
  if (!eventstoreUrl && !existsSync(sqlitePath)) {
    throw new ConfigError(
      `No event store at ${sqlitePath}: set DATA_DIR to the server's data folder, or EVENTSTORE_URL`,
    );
  }
  return {
    store: {
      ...(eventstoreUrl && { eventstoreUrl }),
      sqlitePath,
      synchronous: sqliteSynchronous,
    },
    dataDir,
  };
}

const DAMAGED = ['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN'];
const damaged = (error: unknown) =>
  DAMAGED.some((code) => String((error as { code?: unknown }).code).startsWith(code));

/** Reads `sqlitePath` read-only: a file is never written (nor made) by looking at it. */
function readOnly<T>(sqlitePath: string, read: (db: Database.Database) => T): T {
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * Opening a file as a store would make an empty store in it: one without an events table (an
 * interrupted copy, another SQLite file in its place) is refused first.
 */
function checkHoldsEvents(sqlitePath: string): void {
  const table = readOnly(sqlitePath, (db) =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get(),
  );
  if (!table) {
    throw new Error('no events table: an interrupted copy, or another SQLite file in its place');
  }
}

/** Whether SQLite finds a damaged page in the file (or cannot read it at all). */
function isDamaged(sqlitePath: string): boolean {
  try {
    const [first] = readOnly(
      sqlitePath,
      (db) => db.pragma('quick_check(1)', { simple: false }) as { quick_check: string }[],
    );
    return first?.quick_check !== 'ok';
  } catch {
    return true;
  }
}

/**
 * A damaged page met while reading the events and writing the read models may be in either
 * file: the store's is checked, and whichever is damaged is named.
 */
async function namingDamagedFile<T>(
  settings: EventStoreSettings,
  readModelsPath: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!damaged(error)) throw error;
    if (!settings.eventstoreUrl && isDamaged(settings.sqlitePath)) {
      throw new UnreadableEventStoreError(settings.sqlitePath, error as Error);
    }
    throw new DamagedReadModelsError(readModelsPath, error as Error);
  }
}

async function headPosition(store: EventStore): Promise<bigint> {
  const [last] = await store.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 });
  return last?.position ?? 0n;
}

async function rebuild(store: EventStore, readModelsPath: string): Promise<void> {
  const bar = progressBar(process.stderr, await headPosition(store));
  const started = performance.now();
  let events: number;
  try {
    ({ events } = await rebuildReadModels({
      store,
      dbPath: readModelsPath,
      onProgress: (progress) => bar.update(progress),
    }));
  } catch (error) {
    const code = String((error as { code?: unknown }).code);
    if (UNWRITABLE.some((c) => code.startsWith(c)))
      throw new UnwritableReadModelsError(readModelsPath, error as Error);
    throw error;
  }
  bar.done();
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `Rebuilt ${readModelsPath} from ${events} events in ${seconds.toFixed(1)} s (${Math.round(events / seconds)} events/s)\n`,
  );
}

const REBUILD_USAGE = 'Usage: npm run -s projections -- rebuild';
const REPORT_USAGE = `Usage: npm run -s report -- ${reportNames.join('|')} [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--status S] [--email TEXT] [--page N] [--page-size N] [--csv]`;
const USAGE = `${REBUILD_USAGE}\n${REPORT_USAGE}`;

const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

type Command =
  | { kind: 'help'; usage: string }
  | { kind: 'rebuild' }
  | { kind: 'report'; name: ReportName; options: ReportOptions };

/** The user's mistakes in `parse` (unknown option, missing value...) as a UsageError with the usage. */
function withUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    // parseArgs throws a TypeError for those, with a code of its own.
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError(`${(error as Error).message}\n${usage}`);
    }
    throw error;
  }
}

/** Reads the whole command line before any file is opened: a mistake or `--help` must change nothing. */
function parseCommand(argv: string[]): Command {
  const [command, ...args] = argv;
  if (command === '-h' || command === '--help') return { kind: 'help', usage: USAGE };
  if (command === 'rebuild') {
    const { values } = withUsage(REBUILD_USAGE, () => parseArgs({ args, options: HELP }));
    return values.help ? { kind: 'help', usage: REBUILD_USAGE } : { kind: 'rebuild' };
  }
  if (command === 'report') return parseReport(args);
  throw new UsageError(USAGE);
}

function parseReport(args: string[]): Command {
  const { values, positionals } = withUsage(REPORT_USAGE, () =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...HELP,
        from: { type: 'string' },
        to: { type: 'string' },
        status: { type: 'string' },
        email: { type: 'string' },
        page: { type: 'string' },
        'page-size': { type: 'string' },
        csv: { type: 'boolean', default: false },
      },
    }),
  );
  if (values.help) return { kind: 'help', usage: REPORT_USAGE };
  const [name, ...extra] = positionals;
  if (!reportNames.includes(name as ReportName)) throw new UsageError(REPORT_USAGE);
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'\n${REPORT_USAGE}`);
  const options: ReportOptions = {
    from: values.from,
    to: values.to,
    status: values.status,
    email: values.email,
    page: values.page === undefined ? undefined : Number(values.page),
    pageSize: values['page-size'] === undefined ? undefined : Number(values['page-size']),
    csv: values.csv,
  };
  // Every option fails now, not after a catch-up that can take seconds (the widest input
  // checks them all; a report ignores those it does not use).
  const { csv: _csv, ...filters } = options;
  OrdersReportInput.parse(filters);
  return { kind: 'report', name: name as ReportName, options };
}

async function report(
  store: EventStore,
  readModelsPath: string,
  name: ReportName,
  options: ReportOptions,
): Promise<void> {
  // A missing or stale file catches up first, which can take a while: show how far it is.
  const bar = progressBar(process.stderr, await headPosition(store));
  const runner = await readingReadModels(readModelsPath, () =>
    startProjectionRunner({
      store,
      dbPath: readModelsPath,
      onProgress: (progress) => bar.update(progress),
      // A failure rejects caughtUp, which main reports in one line: no need to log it too.
      onError: () => {},
    }),
  );
  try {
    await runner.caughtUp;
    bar.done();
    const output = await readingReadModels(readModelsPath, () =>
      renderReport(runner.db, name, options),
    );
    process.stdout.write(`${output}\n`);
  } finally {
    await runner.close();
  }
}

/**
 * Runs `read`, which touches only the read-model file, naming that file if SQLite finds it
 * damaged. (A catch-up also reads the events, so its errors could be either file's.)
 */
async function readingReadModels<T>(readModelsPath: string, read: () => T | Promise<T>) {
  try {
    return await read();
  } catch (error) {
    if (damaged(error)) throw new DamagedReadModelsError(readModelsPath, error as Error);
    throw error;
  }
}

/**
 * Opens the store and reads its last event, its first contact with the file or server: a
 * failure there is the store's (an unreachable server, a damaged or unopenable file).
 */
async function openedEventStore(settings: EventStoreSettings): Promise<EventStore> {
  const where = settings.eventstoreUrl
    ? withoutCredentials(settings.eventstoreUrl)
    : settings.sqlitePath;
  let store: EventStore | undefined;
  try {
    if (!settings.eventstoreUrl) checkHoldsEvents(settings.sqlitePath);
    store = await openEventStore(settings);
    await headPosition(store);
    return store;
  } catch (error) {
    await store?.close().catch(() => {});
    throw new UnreadableEventStoreError(where, error as Error);
  }
}

async function main(argv: string[]): Promise<void> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${command.usage}\n`);
    return;
  }
  const config = settings();
  const store = await openedEventStore(config.store);
  try {
    // Only now, with the store reached: a wrong EVENTSTORE_URL leaves no folder behind.
    const readModelsPath = readModelsPathIn(config.dataDir);
    const existed = existsSync(readModelsPath);
    try {
      await namingDamagedFile(config.store, readModelsPath, () =>
        command.kind === 'rebuild'
          ? rebuild(store, readModelsPath)
          : report(store, readModelsPath, command.name, command.options),
      );
    } catch (error) {
      // A report that failed leaves no half-made read models where there were none.
      if (!existed && error instanceof UnreadableEventStoreError) {
        for (const suffix of ['', '-wal', '-shm'])
          rmSync(`${readModelsPath}${suffix}`, { force: true });
      }
      throw error;
    }
  } finally {
    await store.close();
  }
}

/** Errors the operator can act on, said in their own words; anything else is a bug and keeps its stack. */
const OPERATOR_ERRORS = [
  UsageError,
  ConfigError,
  ReadModelsInUseError,
  MalformedEventError,
  DamagedReadModelsError,
  UnwritableReadModelsError,
  UnreadableEventStoreError,
];

/** The command-line flag of a report option: `pageSize` is `--page-size`. */
const flag = (option: PropertyKey) =>
  `--${String(option).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

function describeError(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return issue?.path.length
      ? `Invalid option ${flag(issue.path[0]!)}: ${issue.message}`
      : String(issue?.message);
  }
  if (OPERATOR_ERRORS.some((type) => error instanceof type)) return (error as Error).message;
  return String((error as Error).stack ?? error);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${describeError(error)}\n`);
  process.exitCode = 1;
});
