/**
 * The page's one way to the server: batched tRPC queries carrying the bearer token, and
 * the `analytics.watch` subscription over SSE, which cannot send headers and so carries
 * the token as a connection param.
 */
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/http/router';

type Outputs = inferRouterOutputs<AppRouter>['analytics'];
type Inputs = inferRouterInputs<AppRouter>['analytics'];

export type SalesReport = Outputs['sales'];
export type FunnelReport = Outputs['funnel'];
export type OrdersReport = Outputs['orders'];
type StockReport = Outputs['stock'];
export type OrderSummary = OrdersReport['orders'][number];
export type OrderStatus = OrderSummary['status'];
export type StockProduct = StockReport['products'][number];

export interface Filters {
  from?: string | undefined;
  to?: string | undefined;
  status?: OrderStatus | undefined;
  email?: string | undefined;
  page: number;
}

export interface Snapshot {
  sales: SalesReport;
  funnel: FunnelReport;
  orders: OrdersReport;
  stock: StockReport;
}

export interface WatchHandlers {
  onTick(): void;
  onLive(): void;
  onReconnecting(): void;
  onError(error: unknown): void;
}

export interface AnalyticsApi {
  load(filters: Filters): Promise<Snapshot>;
  watch(handlers: WatchHandlers): { unsubscribe(): void };
}

const ORDERS_PAGE_SIZE = 10;

export function createAnalyticsApi(token: string, base = location.origin): AnalyticsApi {
  const url = `${base}/trpc`;
  const client: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, connectionParams: () => ({ token }) }),
        false: httpBatchLink({ url, headers: () => ({ authorization: `Bearer ${token}` }) }),
      }),
    ],
  });

  return {
    async load({ from, to, status, email, page }) {
      const range: Inputs['sales'] = { from, to };
      const [sales, funnel, orders, stock] = await Promise.all([
        client.analytics.sales.query(range),
        client.analytics.funnel.query(range),
        client.analytics.orders.query({
          ...range,
          status,
          email: email || undefined,
          page,
          pageSize: ORDERS_PAGE_SIZE,
        }),
        client.analytics.stock.query(),
      ]);
      return { sales, funnel, orders, stock };
    },
    watch(handlers) {
      return client.analytics.watch.subscribe(undefined, {
        onData: () => handlers.onTick(),
        onError: (error) => handlers.onError(error),
        onConnectionStateChange: (state) => {
          if (state.state === 'pending') handlers.onLive();
          else if (state.state === 'connecting' && state.error) handlers.onReconnecting();
        },
      });
    },
  };
}
