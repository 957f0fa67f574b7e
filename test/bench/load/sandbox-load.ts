/**
 * Load process timing the local Stripe sandbox alone, through the stripe package as the
 * server calls it: one create-session at a time (the sandbox's own time per call), then as
 * many at once as the checkout bench has connections (its capacity).
 * Argument: JSON {apiUrl, secretKey, returnUrl, sequential, connections, seconds}.
 */
import Stripe from 'stripe';
import { reportToParent } from './load-report';

interface Config {
  apiUrl: string;
  secretKey: string;
  returnUrl: string;
  sequential: number;
  connections: number;
  seconds: number;
}

interface SandboxTiming {
  p50: number;
  p99: number;
}

export interface SandboxLoadResult {
  sequential: SandboxTiming;
  concurrent: SandboxTiming & { perSecond: number };
}

const config = JSON.parse(process.argv[2]!) as Config;
const api = new URL(config.apiUrl);
const stripe = new Stripe(config.secretKey, {
  host: api.hostname,
  port: Number(api.port),
  protocol: 'http',
  telemetry: false,
  maxNetworkRetries: 0,
});

let n = 0;
async function createSession(): Promise<number> {
  const i = n++;
  const started = performance.now();
  await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      {
        quantity: 1 + (i % 2),
        price_data: {
          currency: 'eur',
          unit_amount: 900 + (i % 8) * 350,
          product_data: { name: `Mug ${i % 8}`, images: ['http://127.0.0.1/images/bench-0.svg'] },
        },
      },
    ],
    customer_email: `shopper${i}@example.com`,
    client_reference_id: `order-${i}`,
    metadata: { orderId: `order-${i}` },
    expires_at: Math.floor(Date.now() / 1000) + 31 * 60,
    success_url: `${config.returnUrl}?stripe_cart=success&stripe_cart_session={CHECKOUT_SESSION_ID}`,
    cancel_url: `${config.returnUrl}?stripe_cart=cancel`,
    locale: 'auto',
  });
  return performance.now() - started;
}

function timing(latencies: number[]): SandboxTiming {
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
  return { p50: pct(0.5), p99: pct(0.99) };
}

const sequential: number[] = [];
for (let i = 0; i < config.sequential; i++) sequential.push(await createSession());

const concurrent: number[] = [];
const until = performance.now() + config.seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: config.connections }, async () => {
    while (performance.now() < until) concurrent.push(await createSession());
  }),
);
const seconds = (performance.now() - started) / 1000;
reportToParent({
  sequential: timing(sequential),
  concurrent: { ...timing(concurrent), perSecond: concurrent.length / seconds },
} satisfies SandboxLoadResult);
