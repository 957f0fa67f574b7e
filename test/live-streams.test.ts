/**
 * Live streams (SSE) tell their clients how long silence may last: a connection dropped
 * without a close (a Wi-Fi change, a NAT timeout, a laptop waking) sends nothing, and the
 * tRPC client reconnects only if the server said when to give up. The pings come 15 s apart.
 */
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** The stream's first SSE event: its name and data. */
function firstEvent(url: string): Promise<{ event: string; data: unknown }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const end = text.indexOf('\n\n');
        if (end < 0) return;
        const lines = text.slice(0, end).split('\n');
        const field = (name: string) =>
          lines
            .find((line) => line.startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim();
        request.destroy();
        resolve({ event: field('event') ?? '', data: JSON.parse(field('data') ?? 'null') });
      });
    });
    request.on('error', reject);
  });
}

it('says on connecting to reconnect after 45 s without a byte (three missed pings)', async () => {
  expect(await firstEvent(`${t.url}/trpc/catalog.watch`)).toEqual({
    event: 'connected',
    data: { reconnectAfterInactivityMs: 45_000 },
  });
});
