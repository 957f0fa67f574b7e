/**
 * `npm start`'s launcher (demo/start.ts) as a newcomer runs it: its own process, the local
 * sandbox, fixed ports (it takes no port 0), and a page of the newcomer's own in
 * ALLOWED_ORIGINS, which must add to the demo's origins, not replace them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A port free now: the OS picks it, and it is given back at once for the demo to take. */
async function freePort(): Promise<number> {
  const socket = net.createServer();
  await new Promise<void>((resolve) => socket.listen(0, '127.0.0.1', resolve));
  const { port } = socket.address() as net.AddressInfo;
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

let child: ChildProcess;
let shop: string;
let embed: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-demo-'));

beforeAll(async () => {
  const [port, embedPort, sandboxPort] = [await freePort(), await freePort(), await freePort()];
  shop = `http://localhost:${port}`;
  embed = `http://localhost:${embedPort}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'demo/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DEMO_EMBED_PORT: String(embedPort),
      SANDBOX_PORT: String(sandboxPort),
      DATA_DIR: dataDir,
      ALLOWED_ORIGINS: 'http://my-page.test:8080',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`demo did not start in 30 s:\n${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl+C stops it')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before it was up:\n${output}`));
    });
  });
}, 40_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const allowed = async (origin: string) =>
  (await fetch(`${shop}/trpc/catalog.list`, { headers: { origin } })).headers.get(
    'access-control-allow-origin',
  );

it("serves the widget to the demo's own pages and to a page named in ALLOWED_ORIGINS", async () => {
  expect(await allowed('http://my-page.test:8080')).toBe('http://my-page.test:8080');
  expect(await allowed(embed)).toBe(embed);
  expect(await allowed(shop.replace('localhost', '127.0.0.1'))).toBe(
    shop.replace('localhost', '127.0.0.1'),
  );
  expect(await allowed('http://not-named.test')).toBeNull();
});

it('serves the shop and the analytics page', async () => {
  for (const page of ['/', '/admin/']) {
    const response = await fetch(`${shop}${page}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  }
});
