import { TRPCClientError } from '@trpc/client';
import { describe, expect, test } from 'vitest';
import { classifyFailure, retryOnNetwork } from '../../widget/state/failure';

const serverError = (code: string, extra: Record<string, unknown> = {}, message = 'nope') =>
  Object.assign(new Error(message), { data: { code, ...extra } });

describe('failure classification', () => {
  test('a refusal carries its per-line problems, dropping malformed ones', () => {
    const failure = classifyFailure(
      serverError('BAD_REQUEST', {
        problems: [{ sku: 'A', code: 'sold_out' }, { sku: 'B', code: 'bogus' }, 'x'],
      }),
    );
    expect(failure).toMatchObject({ kind: 'refused', problems: [{ sku: 'A', code: 'sold_out' }] });
  });

  test('zod failures name their fields', () => {
    const failure = classifyFailure(
      serverError('BAD_REQUEST', { issues: [{ path: 'email', message: 'Invalid email' }] }),
    );
    expect(failure).toEqual({
      kind: 'invalid',
      fields: [{ path: 'email', message: 'Invalid email' }],
      message: 'nope',
    });
  });

  test('Stripe trouble keeps the server message for the shopper; CONFLICT is its own kind', () => {
    expect(classifyFailure(serverError('BAD_GATEWAY', {}, 'Stripe refused'))).toEqual({
      kind: 'unavailable',
      message: 'Stripe refused',
    });
    expect(classifyFailure(serverError('SERVICE_UNAVAILABLE')).kind).toBe('unavailable');
    expect(classifyFailure(serverError('CONFLICT')).kind).toBe('conflict');
    expect(classifyFailure(serverError('INTERNAL_SERVER_ERROR')).kind).toBe('unknown');
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
