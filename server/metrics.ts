/**
 * Prometheus metrics (`GET /metrics`). One registry per app, so tests can run several
 * apps in one process without their figures mixing.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'stripe_cart_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Histogram({
      name: 'stripe_cart_http_request_duration_seconds',
      help: 'HTTP requests by route, tRPC procedure (batch, unknown, or empty for other routes) and status',
      labelNames: ['method', 'route', 'procedure', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    webhooks: new Counter({
      name: 'stripe_cart_webhooks_total',
      help: 'Stripe webhooks by event type and result (recorded, nothing_to_do, ignored, refused, failed)',
      labelNames: ['type', 'result'],
      registers,
    }),
    appends: new Histogram({
      name: 'stripe_cart_eventstore_append_duration_seconds',
      help: 'Event store appends by result (ok, conflict, error)',
      labelNames: ['result'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
    projectionLag: new Histogram({
      name: 'stripe_cart_projection_lag_seconds',
      help: 'Time from an append by this process to its commit in the read models',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
  };
}
