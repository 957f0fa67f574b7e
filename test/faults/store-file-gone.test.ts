/**
 * events.sqlite deleted (a cleanup script, a volume remounted, a backup restored over it)
 * while the server runs: appends would land in an unlinked file that is gone at the next
 * start. Within a check (2 s) the store refuses them, and /healthz says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { checkout } from '../support/orders';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('refuses appends that would be lost, and /healthz says the file is gone', async () => {
  await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
  for (const suffix of ['', '-wal', '-shm'])
    fs.rmSync(path.join(t.dataDir, `events.sqlite${suffix}`), { force: true });

  const healthz = async () => {
    const response = await fetch(`${t.url}/healthz`);
    return { status: response.status, body: await response.json() };
  };
  await expect.poll(healthz, { timeout: 10_000, interval: 250 }).toEqual({
    status: 503,
    body: {
      ok: false,
      problem:
        "the event store's file was deleted or replaced while the server ran: restart the server",
    },
  });
  await expect(checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }])).rejects.toThrow();
});
