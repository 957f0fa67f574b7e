/**
 * What the server logs of each request: one line once it is over, answered or dropped by its
 * client, naming the path without its query. Refusals carry their reason, never a stack.
 */

import type { TRPCError } from '@trpc/server';
import {
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { maskSensitive } from '../masking';

/**
 * Query strings carry tRPC inputs (an analyst's email filter) and the admin token of
 * subscriptions, so log lines name the path only.
 */
function loggedUrl(url: string): string {
  const [path, query] = url.split('?', 2);
  return query ? `${path}?[redacted]` : path!;
}

const safeRequest = (request: FastifyRequest) => ({
  method: request.method,
  url: loggedUrl(request.url),
  remoteAddress: request.ip,
});

type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>;

/** Every line of a request carries its id; a request logged as `req` shows only what is safe. */
export const childLoggerFactory: ChildLoggerFactory = (logger, bindings, options) =>
  logger.child(bindings, {
    ...options,
    serializers: {
      ...options.serializers,
      req: (request: FastifyRequest) => safeRequest(request),
    },
  });

/** Why the server refused a request (a 4xx), for that request's line. */
const refusals = new WeakMap<FastifyRequest, string>();

/**
 * Notes why `request` was refused, for its line: what fastify handles itself is noted here
 * (RequestLog.defaultErrorLog); tRPC's input checks, the limits in server.ts and the
 * webhook's checks answer on their own, and say so through this.
 */
export function refused(request: FastifyRequest, reason: string): string {
  refusals.set(request, maskSensitive(reason).slice(0, 300));
  return reason;
}

/**
 * A tRPC refusal in a few words: its code, and which inputs were wrong rather than zod's
 * whole report (which can quote what was sent).
 */
export function refusalOf(error: TRPCError): string {
  const issues = (error.cause as { issues?: { path: PropertyKey[] }[] } | undefined)?.issues;
  if (!issues) return `${error.code}: ${error.message}`;
  const paths = issues.map((issue) => issue.path.map(String).join('.') || '(the input)');
  return `${error.code}: invalid ${[...new Set(paths)].join(', ')}`;
}

/**
 * Replaces fastify's two lines a request ("incoming request", "request completed") with one,
 * written when its response closes: finished, or cut off ("request aborted": its client hung
 * up, or a live stream was ended by the server closing).
 */
export class RequestLog extends LogController {
  /**
   * @param lines Whether request lines are written at all (LOG_LEVEL info or lower): at warn,
   * the webhook path listens for no 'close' and builds no line per request.
   */
  constructor(private readonly lines: boolean) {
    super();
  }

  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    // At debug, a request that hangs shows that it came.
    request.log.debug({ req: request }, 'incoming request');
    // 'close' comes for every response; 'finish', which fastify logs on, not for a dropped one.
    if (this.lines) reply.raw.once('close', () => this.requestEnded(request, reply));
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    // The request's line is written on 'close'; a response that failed to write says so too.
    if (error) super.requestCompleted(error, request, reply);
  }

  /**
   * A refusal (a 429 from the rate limiter, a body that is not JSON) is the server doing its
   * job, not a fault: no stack, and no line of its own at info, only its reason on the
   * request's line. Not a warning: one client could then fill a LOG_LEVEL=warn log with them.
   */
  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) super.defaultErrorLog(error, request, reply);
    else if (!this.isLogDisabled(request)) refused(request, error.message);
  }

  /** A live stream its client left is said by the request's line. */
  override streamError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE')
      super.streamError(error, request, reply);
  }

  /** The request's line says the path and its 404; fastify's own line quotes the whole URL. */
  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug(`Route ${request.method}:${loggedUrl(request.url)} not found`);
  }

  private requestEnded(request: FastifyRequest, reply: FastifyReply): void {
    const answered = reply.raw.writableFinished;
    reply.log.info(
      {
        req: request,
        // A response cut off reached its client in part or not at all: no status to trust.
        ...(answered && { res: reply }),
        responseTime: reply.elapsedTime,
        reason: refusals.get(request),
      },
      answered ? 'request completed' : 'request aborted',
    );
  }
}
