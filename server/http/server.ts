/**
 * The HTTP surface: tRPC at /trpc (CORS limited to ALLOWED_ORIGINS), the Stripe webhook,
 * the widget bundle, /healthz, and in demo mode the shop pages.
 */
import fs from 'node:fs';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Services } from '../services';
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

function safeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.url.replace(/connectionParams=[^&]*/g, 'connectionParams=[redacted]'),
    remoteAddress: request.ip,
  };
}

export async function buildHttpServer(
  services: Services,
  options: HttpOptions,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.log as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // tRPC batches name every procedure in the path.
    routerOptions: { maxParamLength: 1000 },
    trustProxy: services.config.trustProxy,
    // Request lines must not carry the admin token that subscriptions pass in the query.
    childLoggerFactory: (logger, bindings, options) =>
      logger.child(bindings, {
        ...options,
        serializers: {
          ...options.serializers,
          req: (request: FastifyRequest) => safeRequest(request),
        },
      }),
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    services.metrics.httpRequests
      .labels(request.method, route, String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  // Per client, so nobody can hold the stock with a stream of fake checkouts.
  await app.register(rateLimit, { global: false });
  const checkoutLimit = app.rateLimit({
    max: services.config.checkoutRateLimit,
    timeWindow: 60_000,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/trpc/') && request.url.split('?')[0]!.includes('checkout.start')) {
      await checkoutLimit.call(app, request, reply);
    }
  });

  const headers = securityHeaders(services.config.publicUrl);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });

  await app.register(cors, {
    origin: services.config.allowedOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    maxAge: 600,
  });

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      // EventSource cannot send headers, so subscriptions may carry the token as a connection param.
      createContext: ({ req, info }): Context => ({
        services,
        authorization:
          req.headers.authorization ??
          (info.connectionParams?.token ? `Bearer ${info.connectionParams.token}` : undefined),
      }),
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          services.log.error({ err: error, path }, 'tRPC error');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  await webhookRoute(app, services);

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async (_request, reply) =>
    reply
      .header('content-type', services.metrics.registry.contentType)
      .send(await services.metrics.registry.metrics()),
  );

  const widgetFile = `${options.widgetDir}/stripe-cart.js`;
  app.get('/widget/stripe-cart.js', async (_request, reply) => {
    if (!fs.existsSync(widgetFile)) {
      return reply.code(404).send({ error: 'The widget is not built: run npm run build:widget' });
    }
    return reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=300')
      .send(fs.createReadStream(widgetFile));
  });

  for (const [index, page] of (options.pages ?? []).entries()) {
    await app.register(fastifyStatic, {
      root: page.root,
      prefix: page.prefix,
      decorateReply: index === 0,
    });
  }

  return app;
}
