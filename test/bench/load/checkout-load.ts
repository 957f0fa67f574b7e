/**
 * Load process for the checkout bench: `checkout.start` over tRPC's plain HTTP, each call a
 * fresh checkoutId and shopper with one to three lines of the bench catalog, as the widget
 * sends it. Argument: JSON {url, returnUrl, skus, connections, seconds}.
 */
import { randomUUID } from 'node:crypto';
import { fire, reportToParent } from './cannon';

interface Config {
  url: string;
  returnUrl: string;
  skus: string[];
  connections: number;
  seconds: number;
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

const summary = await fire({
  url: config.url,
  connections: config.connections,
  duration: config.seconds,
  timeout: 10,
  requests: [
    {
      method: 'POST',
      path: '/trpc/checkout.start',
      setupRequest: (request) => {
        const i = n++;
        const lines = 1 + (i % 3);
        const items = Array.from({ length: lines }, (_, line) => ({
          sku: skus[(i + line * 3) % skus.length]!,
          quantity: 1 + ((i + line) % 2),
        }));
        const body = JSON.stringify({
          checkoutId: randomUUID(),
          items,
          email: `shopper${i}@example.com`,
          returnUrl: config.returnUrl,
        });
        return {
          ...request,
          body,
          headers: { 'content-type': 'application/json', origin: new URL(config.returnUrl).origin },
        };
      },
      onResponse: (status, body) => {
        if (status === 200 && body.includes('"checkoutUrl"')) counts.started++;
        else counts.refused++;
      },
    },
  ],
});
reportToParent({ summary, ...counts } satisfies CheckoutLoadResult);
