/** The request log at each level: LOG_LEVEL=warn says nothing per request; shutdown with an open stream; bad URLs. */
import { describe, expect, it, vi } from 'vitest';
import { startTestApp } from '../support/app';
import { keptLog } from './support/log-lines';

describe('the request log at warn and at info', () => {
  it('at warn: no line for answered requests and refusals', async () => {
    const { logTo, lines } = keptLog();
    const t = await startTestApp({
      env: { LOG_LEVEL: 'warn', CHECKOUT_RATE_LIMIT: '1' },
      logTo,
    });
    try {
      const start = () =>
        fetch(`${t.url}/trpc/checkout.start`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
      expect((await start()).status).toBe(400);
      expect((await start()).status).toBe(429);
      expect((await fetch(`${t.url}/nope?email=jane@example.com`)).status).toBe(404);
      expect((await fetch(`${t.url}/%zz?email=jane@example.com`)).status).toBe(400);
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
      expect(lines().filter((l) => l.req || l.res)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('at info: a bad URL is one line, its query redacted; a stream ended by shutdown is one line', async () => {
    const { logTo, lines } = keptLog();
    const t = await startTestApp({
      env: { LOG_LEVEL: 'info' },
      logTo,
    });
    let closed = false;
    try {
      expect((await fetch(`${t.url}/%zz?email=jane@example.com`)).status).toBe(400);
      const bad = await vi.waitFor(() => {
        const found = lines().filter((l) => l.res?.statusCode === 400);
        if (!found.length) throw new Error('no line');
        return found;
      });
      expect(bad).toHaveLength(1);
      expect(JSON.stringify(lines())).not.toMatch(/jane/);

      const stream = await fetch(`${t.url}/trpc/catalog.watch`);
      expect(stream.status).toBe(200);
      const reading = stream.body!.getReader();
      await reading.read();
      await t.close();
      closed = true;
      const ended = lines().filter((l) => l.req?.url === '/trpc/catalog.watch');
      expect(ended.map((l) => l.msg)).toEqual(['request aborted']);
      expect(ended.every((l) => l.reqId)).toBe(true);
    } finally {
      if (!closed) await t.close();
    }
  });
});
