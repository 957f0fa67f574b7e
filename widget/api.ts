/**
 * The one module that talks to the server: a tRPC client over plain JSON, HTTP for
 * calls and Server-Sent Events (the browser's EventSource) for live updates.
 */
import {
  createTRPCClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../server/http/router';

type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;

export type CatalogProduct = Outputs['catalog']['list'][number];
export type OrderView = Outputs['order']['get'];
export type OrderStatus = OrderView['status'];
export type CheckoutInput = Inputs['checkout']['start'];
export type CheckoutStarted = Outputs['checkout']['start'];

export interface Subscription {
  unsubscribe(): void;
}

export interface Live<T> {
  onData(value: T): void;
  /** The connection dropped and is being retried (EventSource reconnects by itself). */
  onOffline?(): void;
  onError?(error: unknown): void;
}

export interface ShopApi {
  readonly origin: string;
  watchCatalog(live: Live<CatalogProduct[]>): Subscription;
  startCheckout(input: CheckoutInput): Promise<CheckoutStarted>;
  getOrder(orderId: string, sessionId?: string): Promise<OrderView>;
  watchOrder(orderId: string, live: Live<OrderView>): Subscription;
  /** Ends the order's unpaid checkout, giving its stock back; answers the status after. */
  cancelOrder(orderId: string): Promise<{ status: OrderStatus }>;
}

/**
 * How long one checkout.start may take: longer than the server may wait for Stripe by
 * default (STRIPE_TIMEOUT_MS, 10 s, and one retry of a call that timed out), since a try
 * given up while the server still waits makes the retry find the checkout busy. A shop that
 * never answers is reported after four tries, under two minutes.
 */
const CHECKOUT_TIMEOUT_MS = 25_000;

export function createShopApi(api: string): ShopApi {
  const url = `${api.replace(/\/+$/, '')}/trpc`;
  const client: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url }),
        // Not httpBatchLink: the cart never has two calls in flight to batch, and it costs 0.6 KB.
        false: httpLink({ url }),
      }),
    ],
  });
  const connectionHandler =
    <T>(live: Live<T>) =>
    (state: { state: string; error: unknown }) => {
      if (state.state === 'connecting' && state.error) live.onOffline?.();
    };

  return {
    origin: new URL(url).origin,
    watchCatalog: (live) =>
      lasting(live, (onError) =>
        client.catalog.watch.subscribe(undefined, {
          onData: (list) => live.onData(list),
          onError,
          onConnectionStateChange: connectionHandler(live),
        }),
      ),
    // A request never answered (an overloaded shop, a hung proxy) fails as a dropped
    // connection would: retried with the same checkoutId, then "could not reach the shop".
    // Not AbortSignal.timeout, which Safari 15.4 lacks.
    startCheckout: (input) => {
      const abort = new AbortController();
      setTimeout(() => abort.abort(), CHECKOUT_TIMEOUT_MS);
      return client.checkout.start.mutate(input, { signal: abort.signal });
    },
    getOrder: (orderId, sessionId) =>
      // An undefined sessionId leaves the JSON input without one.
      client.order.get.query({ orderId, sessionId }),
    cancelOrder: (orderId) => client.order.cancel.mutate({ orderId }),
    watchOrder: (orderId, live) =>
      lasting(live, (onError) =>
        client.order.watch.subscribe(
          { orderId },
          {
            onData: (tracked) => live.onData(tracked.data),
            onError,
            onConnectionStateChange: connectionHandler(live),
          },
        ),
      ),
  };
}

/**
 * tRPC gives a subscription up for good when a reconnect is answered with an error (a
 * proxy's 502 while the server restarts); the browser retries by itself only a dropped
 * connection. So an ended one starts again a few seconds later, until unsubscribed (the
 * retry is set before `onError`, which may unsubscribe).
 */
function lasting<T>(
  live: Live<T>,
  start: (onError: (error: unknown) => void) => Subscription,
): Subscription {
  let current: Subscription;
  let retry: ReturnType<typeof setTimeout>;
  const run = () => {
    current = start((error) => {
      retry = setTimeout(run, 5_000);
      live.onError?.(error);
    });
  };
  run();
  return {
    unsubscribe() {
      clearTimeout(retry);
      current.unsubscribe();
    },
  };
}
