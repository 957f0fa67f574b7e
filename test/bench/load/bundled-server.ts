/**
 * The server as `npm run serve` runs it: bundled by esbuild into one file (as
 * `npm run build:server` does) and started by plain `node` with the same heap cap, without
 * tsx's loader thread and source maps, which add tens of megabytes to a process run
 * through `--import tsx`. The memory bench measures this as its headline figure.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServerProcess } from '../../support/server-process';
import { SECRET_KEY, WEBHOOK_SECRET } from './server';

const root = resolve(import.meta.dirname, '../../..');

/**
 * Bundles the server (and its worker threads) into `dir` with `npm run build:server`'s own
 * arguments; packages stay external, found through a node_modules link.
 */
export function bundleServer(dir: string): string {
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const [, ...args] = (pkg.scripts['build:server'] as string).split(/\s+/);
  const result = spawnSync(
    join(root, 'node_modules/.bin/esbuild'),
    args.map((arg) => (arg === '--outdir=dist/server' ? `--outdir=${dir}` : arg)),
    { encoding: 'utf8', cwd: root },
  );
  if (result.status !== 0) throw new Error(`esbuild failed: ${result.stderr}`);
  return join(dir, 'main.mjs');
}

export interface BundledServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBundledServer(
  mainFile: string,
  env: Record<string, string>,
): Promise<BundledServer> {
  const server = await startServerProcess(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      SQLITE_SYNCHRONOUS: 'FULL',
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'warn',
      ...env,
    },
    mainFile,
    'listening',
  );
  return { url: server.url, pid: server.child.pid!, stop: () => server.stop() };
}
