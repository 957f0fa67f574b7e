import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { Sandbox } from '../../demo/sandbox';

/** The real `stripe` package pointed at the sandbox, as the product's gateway does it. */
export function stripeFor(sandbox: Sandbox, config: Stripe.StripeConfig = {}): Stripe {
  const url = new URL(sandbox.url);
  return new Stripe(sandbox.secretKey, {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: 0,
    ...config,
  });
}

export function sessionParams(
  overrides: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [
      {
        quantity: 2,
        price_data: {
          currency: 'eur',
          unit_amount: 1250,
          product_data: {
            name: 'Zidane 1998 rookie card',
            description: 'Panini, mint condition',
            images: ['http://localhost:3000/images/zidane.png'],
          },
        },
      },
      {
        quantity: 1,
        price_data: { currency: 'eur', unit_amount: 499, product_data: { name: 'Sleeve' } },
      },
    ],
    customer_email: 'shopper@example.com',
    client_reference_id: 'order-123',
    metadata: { orderId: 'order-123' },
    expires_at: Math.floor(Date.now() / 1000) + 31 * 60,
    success_url: 'http://localhost:3000/shop?paid={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://localhost:3000/shop?cancelled=1',
    locale: 'fr',
    ...overrides,
  };
}

/**
 * Parameters the package's types no longer list (its API version renamed them) but Stripe and the
 * sandbox still take, such as payment_method_types.
 */
export function withUntypedParams(
  params: Stripe.Checkout.SessionCreateParams,
  extra: Record<string, unknown>,
): Stripe.Checkout.SessionCreateParams {
  return { ...params, ...extra } as Stripe.Checkout.SessionCreateParams;
}

export interface ReceivedWebhook {
  body: string;
  signature: string;
  contentType: string;
  event: { id: string; type: string; data: { object: Record<string, unknown> } };
  at: number;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves once `count` requests have arrived (whatever was answered). */
  waitFor(count: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A webhook endpoint that records every request and answers with `respond(n)` (n from 0). */
export async function startReceiver(
  respond: (index: number) => number | Promise<number> = () => 200,
): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: { count: number; resolve: (all: ReceivedWebhook[]) => void }[] = [];
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const index = received.length;
    received.push({
      body,
      signature: String(request.headers['stripe-signature'] ?? ''),
      contentType: String(request.headers['content-type'] ?? ''),
      event: JSON.parse(body) as ReceivedWebhook['event'],
      at: Date.now(),
    });
    for (const waiter of waiters.filter((w) => received.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve([...received]);
    }
    const status = await respond(index);
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    waitFor: (count) =>
      received.length >= count
        ? Promise.resolve([...received])
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Constructs an event with the real package's verifier, as the product's webhook route does. */
export function verify(webhook: ReceivedWebhook, secret: string): Stripe.Event {
  return Stripe.webhooks.constructEvent(webhook.body, webhook.signature, secret);
}
