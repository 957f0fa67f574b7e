import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { describe, expect, test } from 'vitest';
import type { AppRouter } from '../../server/http/router';
import { messagesFor, translator } from '../../widget/i18n';
import { classifyFailure, failureText, retryOnNetwork } from '../../widget/state/failure';

const serverError = (code: string, extra: Record<string, unknown> = {}, message = 'nope') =>
  Object.assign(new Error(message), { data: { code, ...extra } });

/** What the real tRPC client throws when an answer comes from outside tRPC, in Fastify's shape. */
async function fastifyRefusal(statusCode: number, error: string, message: string) {
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: 'http://shop.test/trpc',
        fetch: async () =>
          new Response(JSON.stringify({ statusCode, error, message }), {
            status: statusCode,
            headers: { 'content-type': 'application/json' },
          }),
      }),
    ],
  });
  return client.checkout.start
    .mutate({
      checkoutId: crypto.randomUUID(),
      items: [{ sku: 'A', quantity: 1 }],
      email: 'a@example.com',
      returnUrl: 'http://shop.test/',
    })
    .then(
      () => expect.unreachable('the call should fail'),
      (thrown: unknown) => thrown,
    );
}

const rateLimited = () =>
  fastifyRefusal(429, 'Too Many Requests', 'Rate limit exceeded, retry in 1 minute');

describe('failure classification', () => {
  test('a refusal carries its per-line problems, dropping malformed ones', () => {
    const failure = classifyFailure(
      serverError('BAD_REQUEST', {
        problems: [
          { sku: 'A', code: 'sold_out' },
          { sku: 'B', code: 'bogus' },
          'x',
          { sku: 'C', code: 'amount_too_large', maxQuantity: 1, requested: 2 },
        ],
      }),
    );
    expect(failure).toMatchObject({
      kind: 'refused',
      problems: [
        { sku: 'A', code: 'sold_out' },
        { sku: 'C', code: 'amount_too_large', maxQuantity: 1, requested: 2 },
      ],
    });
  });

  test('a cart below the smallest payment Stripe takes is its own kind, with its own text', () => {
    const failure = classifyFailure(
      serverError('BAD_REQUEST', {
        problems: [{ code: 'amount_too_small', minimum: 50, currency: 'eur' }],
      }),
    );
    expect(failure).toEqual({ kind: 'too_small', message: 'nope' });
    expect(failureText[failure.kind]).toBe('tooSmall');
  });

  test('zod failures name their fields', () => {
    const failure = classifyFailure(
      serverError('BAD_REQUEST', {
        issues: [
          { path: 'email', message: 'Invalid email' },
          { path: 'items.0.quantity', message: 'Too big' },
        ],
      }),
    );
    expect(failure).toEqual({
      kind: 'invalid',
      paths: ['email', 'items.0.quantity'],
      message: 'nope',
    });
  });

  test('Stripe trouble, the hold cap and a closed checkout are kinds of their own', () => {
    expect(classifyFailure(serverError('BAD_GATEWAY', {}, 'Stripe refused'))).toEqual({
      kind: 'unavailable',
      message: 'Stripe refused',
    });
    expect(classifyFailure(serverError('SERVICE_UNAVAILABLE')).kind).toBe('unavailable');
    expect(classifyFailure(serverError('TOO_MANY_REQUESTS')).kind).toBe('held');
    expect(classifyFailure(serverError('CONFLICT')).kind).toBe('conflict');
    expect(classifyFailure(serverError('INTERNAL_SERVER_ERROR')).kind).toBe('unknown');
  });

  test("shoppers read their own language, never the server's English", () => {
    const italian = translator(messagesFor('it'), 'it');
    const shown = (error: unknown) => italian(failureText[classifyFailure(error).kind]);
    const stripeDown = 'The payment provider could not be reached. Please try again in a moment.';
    expect(shown(serverError('SERVICE_UNAVAILABLE', {}, stripeDown))).toBe(
      'Il pagamento non è partito. Riprova.',
    );
    const holdCap = 'At most 20 units may wait in unpaid checkouts per shopper.';
    expect(shown(serverError('TOO_MANY_REQUESTS', {}, holdCap))).toBe(
      'Troppi articoli in pagamenti non conclusi. Concludine uno o riprova più tardi.',
    );
    expect(shown(serverError('CONFLICT', {}, 'This checkout has ended (paid)'))).toBe(
      'Questo pagamento è già concluso. Riprova.',
    );
  });

  test("the rate limiter's 429 (Fastify's shape, no tRPC data) says to wait, in the shopper's language", async () => {
    const error = await rateLimited();
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error).toMatchObject({ data: undefined });
    const failure = classifyFailure(error);
    expect(failure.kind).toBe('limited');
    expect(translator(messagesFor('en'), 'en')(failureText[failure.kind])).toBe(
      'Too many attempts. Please wait a minute and try again.',
    );
  });

  test('any other HTTP answer from outside tRPC is not a network failure', async () => {
    const batched = await fastifyRefusal(400, 'Bad Request', 'checkout.start cannot be batched');
    expect(classifyFailure(batched).kind).toBe('unknown');
  });

  test('an error without server data is a network failure (the real tRPC client error too)', () => {
    expect(classifyFailure(new TypeError('Failed to fetch')).kind).toBe('network');
    const clientError = TRPCClientError.from(new TypeError('Failed to fetch'));
    expect(classifyFailure(clientError).kind).toBe('network');
  });
});

describe('retryOnNetwork', () => {
  const noWait = { wait: async () => {} };

  test('retries network failures until one succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await retryOnNetwork(
      async () => {
        calls += 1;
        if (calls < 3) throw new TypeError('Failed to fetch');
        return 'ok';
      },
      { delaysMs: [1, 1, 1], onRetry: (attempt) => retries.push(attempt), ...noWait },
    );
    expect(result).toBe('ok');
    expect(retries).toEqual([1, 2]);
  });

  test('gives up after the last delay with the original error', async () => {
    let calls = 0;
    const error = new TypeError('offline');
    await expect(
      retryOnNetwork(
        async () => {
          calls += 1;
          throw error;
        },
        { delaysMs: [1, 1], ...noWait },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(3);
  });

  test('never retries a rate-limited checkout: another try at once would be refused too', async () => {
    let calls = 0;
    const error = await rateLimited();
    await expect(
      retryOnNetwork(
        async () => {
          calls += 1;
          throw error;
        },
        { delaysMs: [1, 1, 1], ...noWait },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  test('never retries an answer from the server', async () => {
    let calls = 0;
    await expect(
      retryOnNetwork(
        async () => {
          calls += 1;
          throw serverError('BAD_REQUEST');
        },
        { delaysMs: [1, 1], ...noWait },
      ),
    ).rejects.toThrow('nope');
    expect(calls).toBe(1);
  });
});
