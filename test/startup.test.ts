/**
 * What a site owner sees when the server cannot start: one line naming the setting, an exit
 * code for the process manager, and nothing written or left open.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../server/app';
import { ConfigError, parseConfig } from '../server/config';
import { testCatalog } from './support/app';

const root = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-startup-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const env = (dataDir: string, extra: Record<string, string>) => ({
  PORT: '0',
  DATA_DIR: dataDir,
  STRIPE_SECRET_KEY: 'sk_test_startup',
  STRIPE_WEBHOOK_SECRET: 'whsec_startup',
  SWEEP_INTERVAL_SECONDS: '0',
  LOG_LEVEL: 'silent',
  ...extra,
});
const start = (dataDir: string, extra: Record<string, string>) =>
  startApp(parseConfig(env(dataDir, extra)));

describe('starting the server', () => {
  it.each([
    ['missing', undefined, /^Cannot read CATALOG_FILE .*no such file/],
    ['not JSON', '{"products": [', /^Cannot read CATALOG_FILE .*JSON/],
    [
      'a list, not an object with products',
      JSON.stringify(testCatalog),
      /^Invalid CATALOG_FILE \S+: expected \{"products": \[\.\.\.\]\}: Invalid input: expected object, received array$/,
    ],
    [
      'a negative stock',
      JSON.stringify({ products: [{ ...testCatalog[0], stock: -1 }] }),
      /^Invalid CATALOG_FILE .*: products\.0\.stock: /,
    ],
    [
      'an image that is no URL',
      JSON.stringify({ products: [{ ...testCatalog[0], image: 'http://' }] }),
      /^Invalid CATALOG_FILE .*: products\.0\.image: an http\(s\) URL or a path on this shop/,
    ],
    [
      'a currency that does not exist',
      JSON.stringify({ products: [{ ...testCatalog[0], currency: 'xyz' }] }),
      /^Invalid CATALOG_FILE .*: products\.0\.currency: an ISO 4217 code of a currency payments are made in/,
    ],
    [
      'a price in euros rather than cents',
      JSON.stringify({ products: [{ ...testCatalog[0], unitAmount: 12.5 }] }),
      /^Invalid CATALOG_FILE .*: products\.0\.unitAmount: a whole number of the currency's minor units, e\.g\. 1250 for €12\.50$/,
    ],
    [
      'listing one sku twice',
      JSON.stringify({
        products: [testCatalog[0], { ...testCatalog[1], sku: testCatalog[0]!.sku }],
      }),
      /^Invalid CATALOG_FILE .*: products\.1\.sku: \S+ is listed twice$/,
    ],
    [
      'a three-decimal price Stripe does not take',
      JSON.stringify({ products: [{ ...testCatalog[0], currency: 'kwd', unitAmount: 1005 }] }),
      /^Invalid CATALOG_FILE .*: products\.0\.unitAmount: a multiple of 10/,
    ],
  ])('refuses a catalog file that is %s before opening any store', async (_, text, message) => {
    const dataDir = tempDir();
    const file = path.join(tempDir(), 'catalog.json');
    if (text !== undefined) fs.writeFileSync(file, text);
    const started = start(dataDir, { CATALOG_FILE: file });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(message);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('names PORT when the port is taken, and closes what it had opened', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    const dataDir = tempDir();
    try {
      await expect(start(dataDir, { PORT: String(port) })).rejects.toThrow(
        new ConfigError(`Cannot listen on 127.0.0.1:${port} (PORT, HOST): it is already in use`),
      );
    } finally {
      taken.close();
    }
    // The failed start released the store and the read models: the same files open again.
    const app = await start(dataDir, {});
    await app.close();
  });

  it('npm run serve prints that one line, no stack, and exits with 78', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'catalog.json');
    fs.writeFileSync(file, JSON.stringify({ products: [] }));
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'server/main.ts')],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, ...env(dataDir, { CATALOG_FILE: file, LOG_LEVEL: 'silent' }) },
      },
    );
    expect(result.status).toBe(78);
    expect(result.stderr.trim()).toMatch(
      /^stripe-cart: Invalid CATALOG_FILE \S+: products: Too small: expected array to have >=1 items$/,
    );
    expect(fs.readdirSync(dataDir)).toEqual(['catalog.json']);
  });
});
