/**
 * Load process for the checkout bench: `checkout.start` over tRPC's plain HTTP, each call a
 * fresh checkoutId and shopper with one to three lines of the bench catalog, as the widget
 * sends it. Argument: JSON {url, returnUrl, skus, connections, seconds, rate?}; with `rate`
 * the calls go out at that steady rate (paced.ts), else each connection sends as fast as answered.
 */
import { randomUUID } from 'node:crypto';
import { fire, reportToParent } from './cannon';
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
  summary: Awaited<ReturnType<typeof fire>>;
  started: number;
  refused: number;
}

const config = JSON.parse(process.argv[2]!) as Config;
const { skus } = config;
let n = 0;
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

const summary = config.rate
  ? await paced({
      url: config.url,
      path: '/trpc/checkout.start',
      rate: config.rate,
      connections: config.connections,
      requests: Array.from({ length: Math.round(config.rate * config.seconds) }, (_, i) => ({
        body: body(i),
        headers,
      })),
      onResponse,
    })
  : await fire({
      url: config.url,
      connections: config.connections,
      duration: config.seconds,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          path: '/trpc/checkout.start',
          setupRequest: (request) => ({ ...request, body: body(n++), headers }),
          onResponse,
        },
      ],
    });
reportToParent({ summary, ...counts } satisfies CheckoutLoadResult);
