/**
 * Load process for the checkout bench: `checkout.start` over tRPC's plain HTTP, each call a
 * fresh checkoutId and shopper with one to three lines of the bench catalog, as the widget
 * sends it. Argument: JSON {url, returnUrl, skus, connections, seconds, rate?}; with `rate`
 * the calls go out at that steady rate (paced.ts), else each connection sends as fast as
 * answered (closed-loop.ts) until `seconds` have passed.
 */
import { randomUUID } from 'node:crypto';
import { closedLoop } from './closed-loop';
import { type LoadSummary, reportToParent } from './load-report';
import { paced } from './paced';

interface Config {
  url: string;
  returnUrl: string;
  skus: string[];
  connections: number;
  seconds: number;
  rate?: number;
}

export interface CheckoutLoadResult {
  summary: LoadSummary;
  started: number;
  refused: number;
}

const config = JSON.parse(process.argv[2]!) as Config;
const { skus } = config;
/** Far more checkouts a second than one server answers here (about 750). */
const MAX_PER_SECOND = 5_000;
const counts = { started: 0, refused: 0 };

const headers = { 'content-type': 'application/json', origin: new URL(config.returnUrl).origin };
/** The i-th call: one to three lines of the catalog, a fresh checkout and shopper. */
function body(i: number): string {
  const lines = 1 + (i % 3);
  const items = Array.from({ length: lines }, (_, line) => ({
    sku: skus[(i + line * 3) % skus.length]!,
    quantity: 1 + ((i + line) % 2),
  }));
  return JSON.stringify({
    checkoutId: randomUUID(),
    items,
    email: `shopper${i}@example.com`,
    returnUrl: config.returnUrl,
  });
}
const onResponse = (status: number, text: string) => {
  if (status === 200 && text.includes('"checkoutUrl"')) counts.started++;
  else counts.refused++;
};

const load = { url: config.url, path: '/trpc/checkout.start', connections: config.connections };
const summary = config.rate
  ? await paced({
      ...load,
      rate: config.rate,
      requests: Array.from({ length: Math.round(config.rate * config.seconds) }, (_, i) => ({
        body: body(i),
        headers,
      })),
      onResponse,
    })
  : await closedLoop({
      ...load,
      // More calls than the server can answer in the time: the deadline ends the run.
      requests: Array.from({ length: MAX_PER_SECOND * config.seconds }, (_, i) => ({
        body: body(i),
        headers,
      })),
      seconds: config.seconds,
      onResponse,
    });
reportToParent({ summary, ...counts } satisfies CheckoutLoadResult);
