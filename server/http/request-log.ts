/**
 * What the server logs of each request: one line once it is over, answered or dropped by its
 * client, naming the path without its query. Refusals carry their reason, never a stack.
 */
import {
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';

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

/**
 * Replaces fastify's two lines a request ("incoming request", "request completed") with one,
 * written when its response closes: finished, or cut off ("request aborted": its client hung
 * up, or a live stream was ended by the server closing).
 */
export class RequestLog extends LogController {
  /** Why fastify refused a request (a 4xx error it handled), for that request's line. */
  private readonly refusals = new WeakMap<FastifyRequest, string>();

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
    else if (!this.isLogDisabled(request)) this.refusals.set(request, error.message);
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
        reason: this.refusals.get(request),
      },
      answered ? 'request completed' : 'request aborted',
    );
  }
}
