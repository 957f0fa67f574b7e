/**
 * The success page asks Stripe for its session (order.get with the session id). Whatever
 * goes wrong on the way, Stripe busy or an answer the order cannot record, the shopper
 * sees the status the server has, and the log says what happened: the webhook still tells.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox';
import { startSandbox } from '../../demo/sandbox';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { checkout } from '../support/orders';

type Answer = (sessionId: string) => { status: number; body: unknown };

/** When set, how the stand-in answers a session lookup instead of the sandbox. */
let lookups: Answer | undefined;
let sandbox: Sandbox;
let stripe: http.Server;
let t: TestApp;
let otherSessionId: string;
const lines: string[] = [];

/** Stands between the server and the sandbox, passing on every call but the lookups it is told to answer. */
function standIn(target: string): http.Server {
  const upstream = new URL(target);
  return http.createServer((request, response) => {
    const lookup = /^\/v1\/checkout\/sessions\/(cs_[^/?]+)(?:\?|$)/.exec(request.url ?? '');
    if (request.method === 'GET' && lookup && lookups) {
      const { status, body } = lookups(lookup[1]!);
      request.resume();
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
      return;
    }
    const passed = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    passed.on('error', () => response.destroy());
    request.pipe(passed);
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ retryInitialDelayMs: 20, asyncDelayMs: 50 });
  stripe = standIn(sandbox.url);
  await new Promise<void>((resolve) => stripe.listen(0, '127.0.0.1', resolve));
  const { port } = stripe.address() as AddressInfo;
  t = await startTestApp({
    sharedSandbox: sandbox,
    env: { STRIPE_API_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' },
    logTo: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    }),
  });
  otherSessionId = (await checkout(t, [{ sku: 'PELE-1958', quantity: 1 }])).sessionId;
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => stripe?.close(resolve));
  await sandbox?.close();
});

const busy: Answer = () => ({
  status: 409,
  body: {
    error: {
      type: 'invalid_request_error',
      code: 'lock_timeout',
      message: 'This object cannot be accessed right now because another API request is using it.',
    },
  },
});
const anotherOrders: Answer = () => ({ status: 200, body: sandbox.session(otherSessionId) });
const paidWithAFractionalAmount: Answer = (sessionId) => ({
  status: 200,
  body: {
    ...sandbox.session(sessionId),
    status: 'complete',
    payment_status: 'paid',
    amount_total: 4500.5,
  },
});

it.each([
  ['is busy with the session (409)', busy, 'warn'],
  ['answers with the session of another order', anotherOrders, 'error'],
  // No Checkout Session as Stripe makes them: read as Stripe not answering, as a webhook
  // with it is refused as malformed (the gateway checks both against one shape).
  [
    'reports a payment the order cannot store (a fractional amount)',
    paidWithAFractionalAmount,
    'warn',
  ],
] as const)(
  'when Stripe %s, the success page shows the status the server has and the log says why',
  async (_when, answer, level) => {
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    const from = lines.length;
    lookups = answer;
    try {
      const view = await t.client.order.get.query({
        orderId: order.orderId,
        sessionId: order.sessionId,
      });
      expect(view).toMatchObject({ status: 'checkout_started', sessionId: order.sessionId });
    } finally {
      lookups = undefined;
    }
    const logged = lines
      .slice(from)
      .map((line) => JSON.parse(line) as { level: number; msg: string; orderId?: string })
      .filter((entry) => entry.orderId === order.orderId);
    expect(logged).toEqual([
      expect.objectContaining({
        level: level === 'warn' ? 40 : 50,
        msg: 'success page: the Stripe session check failed',
      }),
    ]);
  },
);
