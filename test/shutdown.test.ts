/**
 * Stopping the server while shoppers and analysts keep live subscriptions open: the open
 * streams end at once (their clients reconnect to whatever runs next), while a request
 * already being answered still gets its answer before the server lets go.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { PRODUCTS } from '../server/live-feed';
import { ADMIN_TOKEN, startTestApp, type TestApp, testCatalog } from './support/app';
import { freePort } from './support/free-port';
import { type ServerProcess, startServerProcess } from './support/server-process';

/** An SSE stream, open once its first event (the current listing) has arrived. */
interface OpenStream {
  /** Resolves when the server has ended the stream, however it ended it. */
  closed: Promise<void>;
  hangUp(): void;
}

function openStream(baseUrl: string, target: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}${target}`, { agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`${target} answered ${response.statusCode}`));
        return;
      }
      const closed = new Promise<void>((ended) => response.once('close', () => ended()));
      response.once('data', () => resolve({ closed, hangUp: () => request.destroy() }));
    });
    request.on('error', reject);
  });
}

/**
 * A signed webhook of a type the server ignores, sent in two halves: in flight in between. Its
 * connection is kept alive after the answer, as Stripe's deliveries keep theirs.
 */
function slowWebhook(baseUrl: string, secret: string) {
  const payload = JSON.stringify({ id: 'evt_shutdown', object: 'event', type: 'customer.created' });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  const half = Math.floor(payload.length / 2);
  const agent = new http.Agent({ keepAlive: true });
  const request = http.request(`${baseUrl}/webhooks/stripe`, {
    method: 'POST',
    agent,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'stripe-signature': signature,
    },
  });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
  });
  // A test that fails midway abandons the request: that is no second failure to report.
  answered.catch(() => {});
  request.write(payload.slice(0, half));
  // Node sends the headers and the first half once the socket connects.
  const started = new Promise<void>((resolve) => request.once('socket', () => resolve()));
  return {
    started,
    answered,
    finish: () => request.end(payload.slice(half)),
    abandon: () => {
      request.destroy();
      agent.destroy();
    },
  };
}

const within = <T>(ms: number, promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref(),
    ),
  ]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('stopping the server', () => {
  it('SIGTERM exits with 0 within seconds while a shopper keeps catalog.watch open', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-shutdown-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const catalogFile = path.join(dataDir, 'catalog.json');
    fs.writeFileSync(catalogFile, JSON.stringify({ products: testCatalog }));
    const server: ServerProcess = await startServerProcess({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CATALOG_FILE: catalogFile,
      STRIPE_SECRET_KEY: 'sk_test_shutdown',
      STRIPE_WEBHOOK_SECRET: 'whsec_shutdown',
      SWEEP_INTERVAL_SECONDS: '0',
      EVENTSTORE_URL: '',
    });
    cleanups.push(() => server.stop('SIGKILL'));
    const watch = await openStream(server.url, '/trpc/catalog.watch');
    cleanups.push(() => watch.hangUp());

    const exited = new Promise<number | null>((resolve) =>
      server.child.once('exit', (code) => resolve(code)),
    );
    server.child.kill('SIGTERM');

    expect(await within(5000, exited, 'exiting after SIGTERM')).toBe(0);
    await within(1000, watch.closed, 'ending the stream');
  });

  it('close() answers the request in flight, then ends every open subscription and lets go at once', async () => {
    const t: TestApp = await startTestApp();
    let closing: Promise<void> | undefined;
    let closed = false;
    const close = () => {
      closing ??= t.close().then(() => {
        closed = true;
      });
      return closing;
    };
    cleanups.push(close);
    const streams = await Promise.all([
      openStream(t.url, '/trpc/catalog.watch'),
      openStream(
        t.url,
        `/trpc/analytics.watch?connectionParams=${encodeURIComponent(JSON.stringify({ token: ADMIN_TOKEN }))}`,
      ),
    ]);
    for (const stream of streams) cleanups.push(() => stream.hangUp());
    expect(t.app.services.feed.watchers(PRODUCTS)).toBe(1);
    const webhook = slowWebhook(t.url, t.sandbox.webhookSecret);
    cleanups.push(() => webhook.abandon());
    await webhook.started;
    await sleep(100);

    void close();
    await within(2000, Promise.all(streams.map((s) => s.closed)), 'ending the subscriptions');
    // The subscriptions unsubscribed from the live feed.
    await expect.poll(() => t.app.services.feed.watchers(PRODUCTS), { timeout: 1000 }).toBe(0);
    // The webhook is still being received: the server waits for it.
    await sleep(200);
    expect(closed).toBe(false);
    webhook.finish();
    const answer = await webhook.answered;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ received: true, ignored: 'customer.created' });
    // Not held by the answered webhook's kept-alive connection (72 s before it times out).
    await within(5000, close(), 'close()');
  });
});
