/**
 * A stateless server on EventStoreDB in a fresh container, where DATA_DIR (default ./data)
 * does not exist yet: the read models' folder is made, by the server and by the report CLI
 * on an analyst's machine, as the embedded store makes its own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../demo/sandbox';
import { type App, startApp } from '../server/app';
import { parseConfig } from '../server/config';
import { type EsdbEmulator, startEsdbEmulator } from './esdb-emulator/index';

const parent = mkdtempSync(join(tmpdir(), 'review-esdb-'));
let emulator: EsdbEmulator;
let sandbox: Sandbox;
let app: App | undefined;

beforeAll(async () => {
  emulator = await startEsdbEmulator();
  sandbox = await startSandbox({});
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
  await emulator?.close();
  rmSync(parent, { recursive: true, force: true });
});

it('starts on EventStoreDB with a DATA_DIR that does not exist yet, creating it for the read models', async () => {
  const dataDir = join(parent, 'data'); // not created
  const config = parseConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    EVENTSTORE_URL: emulator.connectionString,
    STRIPE_SECRET_KEY: sandbox.secretKey,
    STRIPE_WEBHOOK_SECRET: sandbox.webhookSecret,
    STRIPE_API_URL: sandbox.url,
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    SWEEP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'silent',
  });
  app = await startApp(config);
  const health = await fetch(`${app.url}/healthz`);
  expect(health.status).toBe(200);
});

it('npm run report on EventStoreDB from a machine without DATA_DIR catches up into a new folder', async () => {
  const dataDir = join(parent, 'analyst-laptop-data'); // not created
  const root = resolve(import.meta.dirname, '..');
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((done) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'projections/cli.ts'), 'report', 'stock'],
      {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, EVENTSTORE_URL: emulator.connectionString },
        timeout: 60_000,
      },
      (_error, _stdout, stderr) => done({ code: child.exitCode ?? -1, stderr }),
    );
  });
  expect(stderr).not.toContain('Error');
  expect(code).toBe(0);
});
