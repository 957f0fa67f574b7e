/**
 * README: "The local Stripe sandbox also runs on its own (`npx tsx demo/sandbox/main.ts`)", read
 * with SANDBOX_PORT / SANDBOX_HOST and the rest. A site owner who gives it a port already taken
 * (the demo's own sandbox still running on 12111, the usual case) or out of range should read one
 * line naming the setting, as `npm start` says "Cannot listen on … (SANDBOX_PORT)", not a stack.
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sandbox(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'demo/sandbox/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('the standalone sandbox with a bad setting', () => {
  let taken: net.Server;
  let port: number;
  beforeAll(async () => {
    taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('a SANDBOX_PORT already in use gives one line naming SANDBOX_PORT, no stack trace', () => {
    const run = sandbox({ SANDBOX_PORT: String(port) });
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/SANDBOX_PORT/);
  });

  it('a SANDBOX_PORT out of range (70000) gives one line naming SANDBOX_PORT, no stack trace', () => {
    const run = sandbox({ SANDBOX_PORT: '70000' });
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).toMatch(/SANDBOX_PORT/);
  });

  it('a SANDBOX_HOST that does not resolve gives one line naming SANDBOX_HOST, no stack trace', () => {
    const run = sandbox({ SANDBOX_PORT: '0', SANDBOX_HOST: 'sandbox-host.invalid' });
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).toMatch(/SANDBOX_HOST/);
  });
});
