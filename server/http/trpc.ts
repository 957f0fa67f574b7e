/**
 * The tRPC instance: plain JSON (no transformer, so any HTTP client can call the API),
 * errors that carry what a caller needs to fix its request, and the admin guard.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { CheckoutRefusedError } from '../checkout/start-checkout';
import type { Services } from '../services';

export interface Context {
  services: Services;
  authorization: string | undefined;
  /**
   * Who the caller counts as for limits: its IPv4 address or its IPv6 /64 (`clientKey`);
   * behind a proxy listed in TRUST_PROXY, from X-Forwarded-For.
   */
  client: string;
  /** The request's logger: its lines carry the request id. */
  log: Services['log'];
}

const MESSAGE_ISSUES = 3;

/** The first few issues on one line, each after its field's path: `Invalid input: reason: …`. */
function invalidInputMessage(issues: { path: string; message: string }[]): string {
  const shown = issues
    .slice(0, MESSAGE_ISSUES)
    // Zod's own words for the input as a whole start the same way (`Invalid input: expected object…`).
    .map(({ path, message }) =>
      path ? `${path}: ${message}` : message.replace(/^Invalid input: /, ''),
    );
  const more = issues.length - MESSAGE_ISSUES;
  return `Invalid input: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

const t = initTRPC.context<Context>().create({
  // Never send stack traces to callers, whatever NODE_ENV says.
  isDev: false,
  // A ping every 15 s; a client that hears nothing for three of them (a connection dropped
  // without a close: a Wi-Fi change, a NAT timeout, a laptop waking) reconnects.
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 45_000 },
  },
  errorFormatter({ shape, error }) {
    const { cause } = error;
    const issues =
      cause instanceof ZodError
        ? cause.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
        : undefined;
    let message = shape.message;
    // An unexpected error's own words are for the log (onError), not for any caller.
    if (error.code === 'INTERNAL_SERVER_ERROR') message = 'Internal server error';
    // Input that failed its schema: zod's own message is its issues as multi-line JSON.
    else if (error.code === 'BAD_REQUEST' && issues) message = invalidInputMessage(issues);
    return {
      ...shape,
      message,
      data: {
        ...shape.data,
        // Refusals name each line to fix; zod failures name each field.
        problems: cause instanceof CheckoutRefusedError ? cause.problems : undefined,
        issues,
      },
    };
  },
});

export const router = t.router;
/** Queries and mutations run to their end before the server closes its store, client or not. */
export const publicProcedure = t.procedure.use(({ ctx, type, next }) =>
  type === 'subscription' ? next() : ctx.services.afterReply.track(next()),
);

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares hashes so the time taken says nothing about how much of the token matched. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = header?.match(/^Bearer (.+)$/)?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

export const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  const token = ctx.services.config.adminToken;
  if (!token) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Admin and analytics are off: set ADMIN_TOKEN',
    });
  }
  if (!tokenMatches(ctx.authorization, token)) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'A valid "Authorization: Bearer <ADMIN_TOKEN>" is required',
    });
  }
  return next();
});
