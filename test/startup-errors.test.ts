/**
 * Settings that only fail once used (a HOST that does not resolve, an EVENTSTORE_URL the
 * client cannot parse or reach, a DATA_DIR that is a file) stop the server as a bad value
 * does: one line naming the setting, exit 78, no stack trace.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function serve(extra: Record<string, string>, timeoutMs = 15_000) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-errors-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      DATA_DIR: dataDir,
      STRIPE_SECRET_KEY: 'sk_test_review',
      STRIPE_WEBHOOK_SECRET: 'whsec_review',
      SWEEP_INTERVAL_SECONDS: '0',
      ...extra,
    },
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const files =
    fs.existsSync(dataDir) && fs.statSync(dataDir).isDirectory() ? fs.readdirSync(dataDir) : [];
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    files,
  };
}

const oneLine = (text: string) => text.trim().split('\n').filter(Boolean);

describe('settings that fail only once used', () => {
  it('a HOST that does not resolve gives one line naming HOST, not a stack trace', () => {
    const run = serve({ HOST: 'shop-host.invalid' });
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack frames
    expect(oneLine(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^stripe-cart: .*HOST/);
    expect(run.status).toBe(78);
  });

  it.each(['esdb://', 'esdb://host:notaport', 'esdb://localhost:2113?tls=maybe'])(
    'an EVENTSTORE_URL the client cannot parse (%s) gives one line naming EVENTSTORE_URL',
    (value) => {
      const run = serve({ EVENTSTORE_URL: value });
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).toMatch(/^stripe-cart: .*EVENTSTORE_URL/);
      expect(run.status).toBe(78);
    },
  );

  it('an unreachable EventStoreDB with CATALOG_FILE set: one clear line, not an uncaught UnavailableError', () => {
    const run = serve({
      EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false',
      CATALOG_FILE: path.join(root, 'demo', 'catalog.json'),
      LOG_LEVEL: 'silent',
    });
    expect(run.stderr).not.toMatch(/UnavailableError[\s\S]*\n\s+at /);
    expect(run.stderr).toMatch(/EVENTSTORE_URL/);
    expect(run.status).not.toBe(1);
  });

  it('a DATA_DIR that is a file gives one line naming DATA_DIR', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'startup-errors-')), 'not-a-dir');
    fs.writeFileSync(file, '');
    const run = serve({ DATA_DIR: file });
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).toMatch(/^stripe-cart: .*DATA_DIR/);
    expect(run.status).toBe(78);
  });
});
