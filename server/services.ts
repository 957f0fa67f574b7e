/** What the HTTP layer is given by the composition root (server/app.ts). */
import type { Logger } from 'pino';
import type { ProjectionRunner } from '../projections/runner';
import type { AfterReply } from './after-reply';
import type { Products } from './catalog/products';
import type { HoldGuard } from './checkout/hold-guard';
import type { Config } from './config';
import type { EventStore } from './eventstore/port';
import type { LiveFeed } from './live-feed';
import type { Metrics } from './metrics';
import type { StripeLookups } from './payments/lookup-limits';
import type { StripeGateway } from './payments/stripe-gateway';

export interface Services {
  config: Config;
  store: EventStore;
  products: Products;
  holds: HoldGuard;
  stripe: StripeGateway;
  /** How often the success page may ask Stripe, per order and per client. */
  stripeLookups: StripeLookups;
  feed: LiveFeed;
  readModels: ProjectionRunner;
  metrics: Metrics;
  now: () => Date;
  log: Logger;
  afterReply: AfterReply;
}
