/**
 * The HTTP surface: tRPC at /trpc (CORS limited to ALLOWED_ORIGINS), the Stripe webhook,
 * the widget bundle, /healthz, and in demo mode the shop pages.
 */
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { Gauge } from 'prom-client';
import { AppendsFailingError } from '../eventstore/instrumented';
import { StoreFileGoneError } from '../eventstore/sqlite';
import type { Services } from '../services';
import { clientKey } from './client-key';
import { RefusedOrigins } from './refused-origins';
import { childLoggerFactory, RequestLog, refusalOf, refused } from './request-log';
import type { AppRouter } from './router';
import { appRouter } from './router';
import { securityHeaders } from './security-headers';
import type { Context } from './trpc';
import { webhookRoute } from './webhook-route';

export interface HttpOptions {
  /** Folder holding the built widget (stripe-cart.js). */
  widgetDir: string;
  /** Folders served at given prefixes in demo mode, e.g. the shop at '/'. */
  pages?: { prefix: string; root: string }[];
}

/**
 * The open SSE streams of tRPC subscriptions. They never end by themselves, and closing the
 * server waits for every open response: closing ends them first. Their clients reconnect
 * (EventSource does) to whichever server runs next.
 */
class LiveStreams {
  private readonly open = new Set<ServerResponse>();
  private readonly perClient = new Map<string, number>();
  private closing = false;

  /**
   * Counts a subscription request against its client until its response closes; false when
   * the client already has `max` open. Counted as requests arrive, so a burst cannot pass.
   */
  admit(client: string, response: ServerResponse, max: number): boolean {
    const open = this.perClient.get(client) ?? 0;
    if (open >= max) return false;
    this.perClient.set(client, open + 1);
    response.once('close', () => {
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    });
    return true;
  }

  add(response: ServerResponse): void {
    // A subscription that was still starting when the server began to close.
    if (this.closing) setImmediate(() => response.destroy());
    else {
      this.open.add(response);
      response.once('close', () => this.open.delete(response));
    }
  }

  endAll(): void {
    this.closing = true;
    for (const response of this.open) response.destroy();
  }
}

const TRPC_ROUTE = '/trpc/:path';
/** The subscriptions, each an SSE stream held open. */
const STREAMS = new Set(['catalog.watch', 'order.watch']);

/**
 * The procedures a tRPC request calls, or null for any other request. Taken from the route
 * fastify matched and its decoded parameter, as tRPC takes them: the raw URL may spell the
 * same route otherwise (`/%74rpc/checkout.start`).
 */
function procedures(request: FastifyRequest): string[] | null {
  if (request.routeOptions.url !== TRPC_ROUTE) return null;
  return String((request.params as { path?: unknown }).path ?? '').split(',');
}

const PROCEDURES = new Set(Object.keys(appRouter._def.procedures));

/** The tRPC procedure a request called, for metrics: a few known names, never the caller's text. */
function procedureLabel(request: FastifyRequest): string {
  const called = procedures(request);
  if (!called) return '';
  if (called.length > 1) return 'batch';
  return PROCEDURES.has(called[0]!) ? called[0]! : 'unknown';
}

export async function buildHttpServer(
  services: Services,
  options: HttpOptions,
): Promise<FastifyInstance> {
  const headers = securityHeaders(services.config.publicUrl);
  const analyticsHeaders = securityHeaders(services.config.publicUrl, false);
  const secure = (request: FastifyRequest, reply: FastifyReply) =>
    reply.headers(request.url.startsWith('/admin/') ? analyticsHeaders : headers);
  const app = Fastify({
    // A path fastify cannot route (bad percent-encoding, a batch path past maxParamLength) is
    // answered before any hook runs: with the headers of every other answer, CORS for an
    // allowed page, and without echoing the path.
    frameworkErrors: (error, request, reply) => {
      secure(request, reply);
      const { origin } = request.headers;
      if (origin && services.config.allowedOrigins.includes(origin))
        reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      (reply as FastifyReply)
        .code(tooLong ? 414 : 400)
        .send({ error: tooLong ? 'The path is too long' : 'The path is not a valid URL' });
    },
    loggerInstance: services.log as FastifyBaseLogger,
    logController: new RequestLog(services.log.isLevelEnabled('info')),
    bodyLimit: 64 * 1024,
    // A request must arrive whole within this (fastify sets no limit): a client that sends a
    // body's first bytes and stops holds a socket no route or limiter ever sees. Responses,
    // SSE streams included, are not affected.
    requestTimeout: 30_000,
    // A response the client does not read (its socket makes no progress) is closed after
    // this, as is any connection silent as long: otherwise one address could hold thousands
    // of sockets and run the process out of file descriptors. Longer than a checkout.start
    // waiting on Stripe (two tries of STRIPE_TIMEOUT_MS); live streams ping every 15 s.
    connectionTimeout: Math.max(60_000, 2 * services.config.stripe.timeoutMs + 15_000),
    // tRPC batches name every procedure in the path.
    routerOptions: { maxParamLength: 1000 },
    trustProxy: services.config.trustProxy,
    childLoggerFactory,
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    services.metrics.httpRequests
      .labels(request.method, route, procedureLabel(request), String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  // First, so refusals sent from later hooks (a 429, a batched checkout's 400) carry them too.
  app.addHook('onRequest', (request, reply, done) => {
    secure(request, reply);
    done();
  });

  // tRPC's plugin hands multipart bodies to tRPC whole, past bodyLimit; no procedure takes one.
  app.addHook('onRequest', (request, reply, done) => {
    if (
      request.url.startsWith('/trpc') &&
      request.headers['content-type']?.startsWith('multipart/')
    )
      reply.code(415).send({ error: refused(request, 'The API takes JSON, not multipart bodies') });
    else done();
  });

  const refusedOrigins = new RefusedOrigins(services.config, services.log);
  app.addHook('onRequest', (request, _reply, done) => {
    refusedOrigins.seen(request.headers.origin, clientKey(request.ip));
    done();
  });

  // Before the limiter: a widget on another origin must be able to read a 429.
  await app.register(cors, {
    origin: services.config.allowedOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    maxAge: 600,
  });

  const liveStreams = new LiveStreams();

  // Per client, so nobody can hold the stock with a stream of fake checkouts.
  await app.register(rateLimit, { global: false });
  const checkoutLimit = app.rateLimit({
    max: services.config.checkoutRateLimit,
    timeWindow: 60_000,
    keyGenerator: (request) => clientKey(request.ip),
  });
  app.addHook('onRequest', async (request, reply) => {
    const called = procedures(request);
    if (!called) return;
    const checkouts = called.filter((p) => p === 'checkout.start').length;
    if (checkouts > 1) {
      // The limiter counts requests; a batch of checkouts would count once.
      return reply.code(400).send({
        statusCode: 400,
        error: 'Bad Request',
        message: refused(request, 'checkout.start cannot be batched: send one call per request'),
      });
    }
    if (checkouts === 1) await checkoutLimit.call(app, request, reply);
    // Each open stream costs work on every change it watches: a client gets a few tabs' worth.
    const max = services.config.maxStreamsPerClient;
    if (
      called.some((p) => STREAMS.has(p)) &&
      !liveStreams.admit(clientKey(request.ip), reply.raw, max)
    ) {
      return reply.code(429).send({
        statusCode: 429,
        error: 'Too Many Requests',
        message: refused(
          request,
          `At most ${max} live updates may be open from one address; close some first`,
        ),
      });
    }
  });
  // Only the subscriptions end here: fastify then waits for the other requests in flight.
  // Their keep-alive connections (Stripe's deliveries, fetch) are closed once answered: left
  // idle, they would hold the closing server for the keep-alive timeout, 72 s.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    liveStreams.endAll();
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== TRPC_ROUTE || !(payload instanceof Response)) return payload;
    const type = payload.headers.get('content-type') ?? '';
    if (type.startsWith('text/event-stream')) liveStreams.add(reply.raw);
    // A few refusals come back before the router runs labelled text/plain, though tRPC
    // only ever answers JSON (or text/event-stream for subscriptions).
    if (type.startsWith('text/plain')) {
      const headers = new Headers(payload.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      return new Response(payload.body, { status: payload.status, headers });
    }
    return payload;
  });

  // Fastify's own shape for refusals; for failures, a message that reveals no internals.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.send(error);
    request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({
      statusCode: status,
      error: 'Internal Server Error',
      message: 'Internal error; it has been logged',
    });
  });

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      // tRPC sets its own Vary, dropping the Origin that CORS added: caches must key on both.
      responseMeta: () => ({ headers: new Headers([['vary', 'Origin']]) }),
      createContext: ({ req, info }): Context => ({
        services,
        client: clientKey(req.ip),
        log: req.log as Context['log'],
        // An EventSource cannot send headers, so a subscription may carry the token in its
        // URL; anything else must use the header, keeping the token out of URLs proxies log.
        authorization:
          req.headers.authorization ??
          (info.type === 'subscription' && info.connectionParams?.token
            ? `Bearer ${info.connectionParams.token}`
            : undefined),
      }),
      onError({ error, path, ctx, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          (ctx?.log ?? services.log).error({ err: error, path }, 'tRPC error');
        else refused(req, refusalOf(error));
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  await webhookRoute(app, services);

  // A stopped projection runner leaves the read models, the sweep and the hold caps on old
  // figures: monitoring must see it. Its cause is logged, not shown to whoever asks here.
  // Until the read models have caught up with the store, the shop shows old stock: a load
  // balancer should send shoppers elsewhere meanwhile.
  let caughtUp = false;
  services.readModels.caughtUp.then(
    () => {
      caughtUp = true;
    },
    () => {}, // a failure is said below
  );
  /** What keeps the service from serving current figures and taking orders; '' when nothing. */
  const healthProblem = (): string => {
    const storeFailure = services.store.failure?.();
    if (storeFailure instanceof AppendsFailingError)
      return `the event store refuses appends (${storeFailure.message}): see the log`;
    if (storeFailure instanceof StoreFileGoneError)
      return "the event store's file was deleted or replaced while the server ran: restart the server";
    if (storeFailure)
      return 'the event store cannot append (its writer thread stopped): restart the server; see the log';
    if (services.readModels.failure()) return 'the read models stopped: see the log';
    return caughtUp ? '' : 'the read models are catching up with the event store';
  };
  app.get('/healthz', async (_request, reply) => {
    const problem = healthProblem();
    return problem ? reply.code(503).send({ ok: false, problem }) : { ok: true };
  });
  // The same for alerting from /metrics, read at each scrape. (A second server built on the
  // same services, as tests do, takes the gauge over.)
  const { registry } = services.metrics;
  registry.removeSingleMetric('stripe_cart_healthy');
  new Gauge({
    name: 'stripe_cart_healthy',
    help: '1 when /healthz answers ok; 0 while it answers 503 (the read models stopped, waiting or catching up, or appends failing)',
    registers: [registry],
    collect() {
      this.set(healthProblem() ? 0 : 1);
    },
  });
  app.get('/metrics', async (_request, reply) =>
    reply
      .header('content-type', services.metrics.registry.contentType)
      .send(await services.metrics.registry.metrics()),
  );

  // The bundle names its source map, which DevTools then asks for.
  for (const [name, type] of [
    ['stripe-cart.js', 'text/javascript; charset=utf-8'],
    ['stripe-cart.js.map', 'application/json; charset=utf-8'],
  ] as const) {
    const file = `${options.widgetDir}/${name}`;
    app.get(`/widget/${name}`, async (_request, reply) => {
      if (!fs.existsSync(file)) {
        return reply.code(404).send({ error: 'The widget is not built: run npm run build:widget' });
      }
      return reply
        .header('content-type', type)
        .header('access-control-allow-origin', '*')
        .header('cache-control', 'public, max-age=300')
        .send(fs.createReadStream(file));
    });
  }

  for (const [index, page] of (options.pages ?? []).entries()) {
    await app.register(fastifyStatic, {
      root: page.root,
      prefix: page.prefix,
      decorateReply: index === 0,
    });
  }

  return app;
}
