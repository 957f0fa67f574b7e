/**
 * The server under test as its own OS process (as in production), on a temporary
 * DATA_DIR with synchronous=FULL, plus what a bench needs around it: waiting until the
 * projection runner has caught up, reading the process's memory, and a CPU profile of the
 * server when BENCH_PROFILE_DIR is set (see cpu-profile.mjs).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_SECRET_KEY, DEFAULT_WEBHOOK_SECRET } from '../../../demo/sandbox';
import { type ServerProcess, startServerProcess } from '../../support/server-process';

export const WEBHOOK_SECRET = DEFAULT_WEBHOOK_SECRET;
export const SECRET_KEY = DEFAULT_SECRET_KEY;

export function tempDir(tag: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `stripe-cart-bench-${tag}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const eventsFile = (dataDir: string) => join(dataDir, 'events.sqlite');

/**
 * Starts the server on `dataDir`: the bundle `main` (from `bundleServer`, as `npm run serve`
 * runs it) or else `server/main.ts` through tsx. `profileName` names its CPU profile if
 * profiling is on.
 */
export function startBenchServer(
  dataDir: string,
  env: Record<string, string>,
  profileName: string,
  main?: string,
): Promise<ServerProcess> {
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const profiling: Record<string, string> = {};
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    profiling.BENCH_PROFILE_DIR = resolve(profileDir);
    profiling.BENCH_PROFILE_NAME = profileName;
    profiling.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'cpu-profile.mjs')}`;
  }
  return startServerProcess(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SQLITE_SYNCHRONOUS: 'FULL',
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'warn',
      ...profiling,
      ...env,
    },
    main,
    'listening',
  );
}

/**
 * Resolves once the read models hold every order and product event in the store: the
 * runner's checkpoint (read from its own file, by another process) reaches the store's head.
 * Returns the seconds waited.
 */
export async function projectionsCaughtUp(dataDir: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const head = storeHead(dataDir);
  for (;;) {
    const position = checkpointOf(dataDir);
    if (head === undefined || (position !== undefined && position >= head)) {
      return (performance.now() - started) / 1000;
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(
        `read models at ${position ?? 'nothing'} after ${timeoutMs} ms; store at ${head}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function storeHead(dataDir: string): bigint | undefined {
  const db = new Database(eventsFile(dataDir), { readonly: true, fileMustExist: true });
  try {
    return (
      db
        .prepare<[], { position: bigint | null }>(
          "SELECT MAX(position) AS position FROM events WHERE stream_id LIKE 'order-%' OR stream_id LIKE 'product-%'",
        )
        .safeIntegers(true)
        .get()?.position ?? undefined
    );
  } finally {
    db.close();
  }
}

function checkpointOf(dataDir: string): bigint | undefined {
  const file = join(dataDir, 'readmodels.sqlite');
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { position: bigint }>('SELECT position FROM checkpoint WHERE id = 1')
      .safeIntegers(true)
      .get()?.position;
  } catch (error) {
    // The runner creates its tables as it starts: until then there is no checkpoint to read.
    if (error instanceof Error && error.message.includes('no such table')) return undefined;
    throw error;
  } finally {
    db.close();
  }
}

/** Resident and peak resident memory of a process, in MB, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/**
 * Starts counting the CPU time (user + system) of process `pid`; the function returned gives
 * the milliseconds used since, per request, by all its threads and by its main thread alone
 * (the one whose id is the pid), so the share of workers and V8's helpers shows.
 */
export function cpuClock(pid: number): (requests: number) => { all: number; main: number } {
  const read = () => ({
    all: ticksToSeconds(`/proc/${pid}/stat`),
    main: ticksToSeconds(`/proc/${pid}/task/${pid}/stat`),
  });
  const before = read();
  return (requests) => {
    const after = read();
    const perRequestMs = (seconds: number) => (seconds / requests) * 1000;
    return {
      all: perRequestMs(after.all - before.all),
      main: perRequestMs(after.main - before.main),
    };
  };
}

function ticksToSeconds(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const root = resolve(import.meta.dirname, '../../..');

/** Runs a load script in a second process and returns what it reported on stdout. */
export function runLoadProcess(
  script: string,
  config: unknown,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'test/bench/load', script), JSON.stringify(config)],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${script} ended with ${signal ?? code}:\n${stdout.slice(-2000)}`));
    });
  });
}

/** Starts the server's CPU profile (see cpu-profile.mjs) if BENCH_PROFILE_DIR asked for one. */
export function startProfile(server: ServerProcess): void {
  if (process.env.BENCH_PROFILE_DIR) server.child.kill('SIGUSR2');
}
