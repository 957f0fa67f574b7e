import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../demo/sandbox';
import { DEFAULT_STRIPE_DATA_DIR } from '../../demo/sandbox/fixtures';
import {
  type Receiver,
  sessionParams,
  startReceiver,
  stripeFor,
  verify,
  withUntypedParams,
} from './helpers';

let sandbox: Sandbox;
let stripe: Stripe;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ webhookUrl: receiver.url, retryInitialDelayMs: 50 });
  stripe = stripeFor(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
afterEach(async () => {
  await sandbox.idle();
});

const now = () => Math.floor(Date.now() / 1000);

function fixtureKeys(resource: string): string[] {
  const fixtures = JSON.parse(readFileSync(`${DEFAULT_STRIPE_DATA_DIR}/fixtures3.json`, 'utf8'));
  return Object.keys(fixtures.resources[resource]);
}

async function refusal(
  params: Stripe.Checkout.SessionCreateParams,
): Promise<Stripe.errors.StripeError> {
  const error = await stripe.checkout.sessions.create(params).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeError);
  return error as Stripe.errors.StripeError;
}

describe('POST /v1/checkout/sessions', () => {
  it('creates an open session from every parameter the product sends, shaped like Stripe fixtures', async () => {
    const params = withUntypedParams(sessionParams(), {
      payment_method_types: ['card', 'sepa_debit'],
    });
    const session = await stripe.checkout.sessions.create(params);

    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]+$/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      payment_intent: null,
      amount_total: 2 * 1250 + 499,
      amount_subtotal: 2 * 1250 + 499,
      currency: 'eur',
      customer_email: 'shopper@example.com',
      client_reference_id: 'order-123',
      metadata: { orderId: 'order-123' },
      expires_at: params.expires_at,
      success_url: params.success_url,
      cancel_url: params.cancel_url,
      locale: 'fr',
      livemode: false,
      payment_method_types: ['card', 'sepa_debit'],
      url: `${sandbox.url}/pay/${session.id}`,
    });
    expect(Object.keys(session)).toEqual(expect.arrayContaining(fixtureKeys('checkout.session')));
    expect(sandbox.session(session.id)).toEqual({ ...session });
  });

  it('answers with the headers the package reads: request id, API version', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    expect(session.lastResponse.requestId).toMatch(/^req_/);
    expect(session.lastResponse.apiVersion).toBe(Stripe.API_VERSION);
    expect(session.lastResponse.statusCode).toBe(200);
  });

  it('takes allowed_payment_method_types as a filter, ignoring types it cannot offer', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({ allowed_payment_method_types: ['ideal', 'sepa_debit'] }),
    );
    expect(session.payment_method_types).toEqual(['sepa_debit']);
  });

  it('offers SEPA Direct Debit by default for euros only', async () => {
    const euros = await stripe.checkout.sessions.create(sessionParams());
    expect(euros.payment_method_types).toEqual(['card', 'sepa_debit']);
    const line = sessionParams().line_items![1]!;
    const dollars = await stripe.checkout.sessions.create(
      sessionParams({
        line_items: [{ ...line, price_data: { ...line.price_data!, currency: 'usd' } }],
      }),
    );
    expect(dollars.payment_method_types).toEqual(['card']);
  });

  it('refuses an unknown parameter as Stripe does (StripeInvalidRequestError, parameter_unknown)', async () => {
    const error = await refusal({
      ...sessionParams(),
      shipping_address_collection: { allowed_countries: ['FR'] },
    });
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('shipping_address_collection');
    expect(error.message).toBe('Received unknown parameter: shipping_address_collection');
  });

  it('names nested unknown parameters with Stripe bracket paths', async () => {
    const [line] = sessionParams().line_items!;
    const error = await refusal(
      sessionParams({
        line_items: [{ ...line!, price_data: { ...line!.price_data!, tax_behavior: 'inclusive' } }],
      }),
    );
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('line_items[0][price_data][tax_behavior]');
  });

  const line = () => sessionParams().line_items![0]!;
  const refusals: [
    string,
    () => Stripe.Checkout.SessionCreateParams,
    Partial<Stripe.errors.StripeError>,
  ][] = [
    [
      'a missing success_url',
      () => ({ ...sessionParams(), success_url: undefined }),
      { code: 'parameter_missing', param: 'success_url' },
    ],
    [
      'a missing mode',
      () => ({ ...sessionParams(), mode: undefined }) as never,
      { code: 'parameter_missing', param: 'mode' },
    ],
    [
      'a non-integer unit_amount',
      () =>
        sessionParams({
          line_items: [
            { ...line(), price_data: { ...line().price_data!, unit_amount: 'abc' as never } },
          ],
        }),
      { code: 'parameter_invalid_integer', param: 'line_items[0][price_data][unit_amount]' },
    ],
    [
      'a decimal quantity',
      () => sessionParams({ line_items: [{ ...line(), quantity: 1.5 }] }),
      { code: 'parameter_invalid_integer', param: 'line_items[0][quantity]' },
    ],
    [
      'a zero quantity',
      () => sessionParams({ line_items: [{ ...line(), quantity: 0 }] }),
      { param: 'line_items[0][quantity]' },
    ],
    [
      'a negative price',
      () =>
        sessionParams({
          line_items: [{ ...line(), price_data: { ...line().price_data!, unit_amount: -1 } }],
        }),
      { param: 'line_items[0][price_data][unit_amount]' },
    ],
    [
      'a product without a name',
      () =>
        sessionParams({
          line_items: [
            {
              ...line(),
              price_data: {
                ...line().price_data!,
                product_data: { description: 'no name' } as never,
              },
            },
          ],
        }),
      { code: 'parameter_missing', param: 'line_items[0][price_data][product_data][name]' },
    ],
    [
      'an empty customer_email',
      () => sessionParams({ customer_email: '' }),
      { code: 'parameter_invalid_empty', param: 'customer_email' },
    ],
    [
      'a malformed customer_email',
      () => sessionParams({ customer_email: 'not-an-email' }),
      { code: 'email_invalid', param: 'customer_email' },
    ],
    [
      'a success_url that is not a URL',
      () => sessionParams({ success_url: 'javascript:alert(1)' }),
      { code: 'url_invalid', param: 'success_url' },
    ],
    ['an unknown locale', () => sessionParams({ locale: 'xx' as never }), { param: 'locale' }],
    [
      'an unknown currency',
      () =>
        sessionParams({
          line_items: [{ ...line(), price_data: { ...line().price_data!, currency: 'xyz' } }],
        }),
      { param: 'line_items[0][price_data][currency]' },
    ],
    [
      "the IMF's drawing right, an ISO code nobody pays in",
      () =>
        sessionParams({
          line_items: [{ ...line(), price_data: { ...line().price_data!, currency: 'xdr' } }],
        }),
      { param: 'line_items[0][price_data][currency]' },
    ],
    [
      'an ISK amount in fractional krónur (not a multiple of 100)',
      () =>
        sessionParams({
          line_items: [
            {
              ...line(),
              price_data: { ...line().price_data!, currency: 'isk', unit_amount: 12_350 },
            },
          ],
        }),
      { param: 'line_items[0][price_data][unit_amount]' },
    ],
    [
      'a three-decimal amount that is not a multiple of 10',
      () =>
        sessionParams({
          line_items: [
            {
              ...line(),
              price_data: { ...line().price_data!, currency: 'kwd', unit_amount: 1005 },
            },
          ],
        }),
      { param: 'line_items[0][price_data][unit_amount]' },
    ],
    [
      'mixed currencies',
      () =>
        sessionParams({
          line_items: [
            line(),
            { ...line(), price_data: { ...line().price_data!, currency: 'usd' } },
          ],
        }),
      { param: 'line_items[1][price_data][currency]' },
    ],
    [
      'a total under Stripe minimum',
      () =>
        sessionParams({
          line_items: [
            { ...line(), quantity: 1, price_data: { ...line().price_data!, unit_amount: 49 } },
          ],
        }),
      { code: 'amount_too_small' },
    ],
    [
      'a total over the eight digits Stripe takes (99,999,999)',
      () =>
        sessionParams({
          line_items: [
            {
              ...line(),
              quantity: 2,
              price_data: { ...line().price_data!, unit_amount: 50_000_000 },
            },
          ],
        }),
      { code: 'amount_too_large' },
    ],
    [
      'expires_at under 30 minutes ahead',
      () => sessionParams({ expires_at: now() + 29 * 60 }),
      { param: 'expires_at' },
    ],
    [
      'expires_at over 24 hours ahead',
      () => sessionParams({ expires_at: now() + 25 * 3600 }),
      { param: 'expires_at' },
    ],
    [
      'a payment method the sandbox cannot take',
      () => withUntypedParams(sessionParams(), { payment_method_types: ['ideal'] }),
      { param: 'payment_method_types[0]' },
    ],
    [
      'SEPA Direct Debit in dollars',
      () =>
        withUntypedParams(
          sessionParams({
            line_items: [{ ...line(), price_data: { ...line().price_data!, currency: 'usd' } }],
          }),
          { payment_method_types: ['sepa_debit'] },
        ),
      { param: 'payment_method_types[0]' },
    ],
    [
      'allowed_payment_method_types the sandbox cannot offer',
      () => sessionParams({ allowed_payment_method_types: ['ideal', 'klarna'] }),
      { param: 'allowed_payment_method_types' },
    ],
    [
      'both payment method type parameters',
      () =>
        withUntypedParams(sessionParams({ allowed_payment_method_types: ['card'] }), {
          payment_method_types: ['card'],
        }),
      { code: 'parameters_exclusive' },
    ],
    ['a mode other than payment', () => sessionParams({ mode: 'subscription' }), { param: 'mode' }],
    [
      '101 line items',
      () => sessionParams({ line_items: Array.from({ length: 101 }, line) }),
      { param: 'line_items' },
    ],
    [
      '51 metadata keys',
      () =>
        sessionParams({
          metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
        }),
      { param: 'metadata' },
    ],
    [
      'a 201-character client_reference_id',
      () => sessionParams({ client_reference_id: 'x'.repeat(201) }),
      { param: 'client_reference_id' },
    ],
  ];
  it.each(refusals)(
    'refuses %s with a 400 invalid_request_error',
    async (_name, params, expected) => {
      const error = await refusal(params());
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode).toBe(400);
      expect(error.type).toBe('StripeInvalidRequestError');
      expect(error.rawType).toBe('invalid_request_error');
      expect(error).toMatchObject(expected);
      expect(error.message.length).toBeGreaterThan(0);
    },
  );

  it('refuses a wrong API key with a 401 that does not echo the key', async () => {
    const impostor = stripeFor(sandbox);
    const url = new URL(sandbox.url);
    const wrong = new Stripe('sk_test_wrong_key_1234', {
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const error = await wrong.checkout.sessions
      .create(sessionParams())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(401);
    expect((error as Stripe.errors.StripeError).message).not.toContain('wrong_key');
    expect((error as Stripe.errors.StripeError).message).toContain('1234');
    await expect(impostor.checkout.sessions.create(sessionParams())).resolves.toBeTruthy();
  });

  it('answers an unsupported endpoint with Stripe "Unrecognized request URL"', async () => {
    const error = await stripe.customers
      .create({ email: 'a@example.com' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(404);
    expect((error as Stripe.errors.StripeError).message).toContain(
      'Unrecognized request URL (POST: /v1/customers)',
    );
  });
});

describe('idempotency keys', () => {
  it('replays the first response for the same key and parameters: one session', async () => {
    const before = sandbox.sessions().length;
    const key = `checkout-${crypto.randomUUID()}`;
    const first = await stripe.checkout.sessions.create(
      sessionParams({ expires_at: now() + 3600 }),
      { idempotencyKey: key },
    );
    const again = await stripe.checkout.sessions.create(
      sessionParams({ expires_at: first.expires_at }),
      { idempotencyKey: key },
    );
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(again.lastResponse.idempotencyKey).toBe(key);
    expect(sandbox.sessions().length).toBe(before + 1);
  });

  it('refuses the same key with other parameters (StripeIdempotencyError)', async () => {
    const key = `checkout-${crypto.randomUUID()}`;
    await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: key });
    const error = await stripe.checkout.sessions
      .create(sessionParams({ customer_email: 'other@example.com' }), { idempotencyKey: key })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((error as Stripe.errors.StripeError).rawType).toBe('idempotency_error');
  });

  it.each([
    ['http500', 500, Stripe.errors.StripeAPIError],
    ['card_error', 402, Stripe.errors.StripeCardError],
  ] as const)(
    'saves an injected %s like any answer: the key gets it again, another key a session',
    async (fault, status, ErrorType) => {
      const key = `checkout-${crypto.randomUUID()}`;
      const params = sessionParams();
      const failed = () =>
        stripe.checkout.sessions.create(params, { idempotencyKey: key }).then(
          () => expect.fail('expected a refusal'),
          (caught: unknown) => caught as Stripe.errors.StripeError,
        );
      sandbox.failNext(fault);
      const first = await failed();
      const again = await failed();
      for (const error of [first, again]) {
        expect(error).toBeInstanceOf(ErrorType);
        expect(error).toMatchObject({ statusCode: status });
      }
      expect(first.headers?.['idempotent-replayed']).toBeUndefined();
      expect(again.headers?.['idempotent-replayed']).toBe('true');
      expect(again.message).toBe(first.message);
      // Saved, a 500 is no longer worth retrying with its key; a 402 never was.
      for (const error of [first, again]) {
        expect(error.headers?.['stripe-should-retry']).toBe(status >= 500 ? 'false' : undefined);
      }
      await expect(
        stripe.checkout.sessions.create(params, { idempotencyKey: `${key}-new` }),
      ).resolves.toMatchObject({ status: 'open' });
    },
  );

  it.each(['reset', 'timeout'] as const)(
    'saves nothing when the connection drops before an answer (%s): the retry with the key runs',
    async (fault) => {
      const retrying = stripeFor(sandbox, { maxNetworkRetries: 1, timeout: 300 });
      const before = sandbox.sessions().length;
      sandbox.failNext(fault);
      const session = await retrying.checkout.sessions.create(sessionParams(), {
        idempotencyKey: `checkout-${crypto.randomUUID()}`,
      });
      expect(session.status).toBe('open');
      expect(session.lastResponse.headers['idempotent-replayed']).toBeUndefined();
      expect(sandbox.sessions().length).toBe(before + 1);
    },
  );

  it('does not save a refused request: the key stays usable once the parameters are fixed', async () => {
    const key = `checkout-${crypto.randomUUID()}`;
    await expect(
      stripe.checkout.sessions.create(sessionParams({ customer_email: 'bad' }), {
        idempotencyKey: key,
      }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(
      stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: key }),
    ).resolves.toMatchObject({ status: 'open' });
  });
});

describe('GET /v1/checkout/sessions/:id', () => {
  it('retrieves a session as created', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const retrieved = await stripe.checkout.sessions.retrieve(created.id);
    expect({ ...retrieved }).toEqual({ ...created });
  });

  it('answers an unknown id with a 404 resource_missing', async () => {
    const error = await stripe.checkout.sessions
      .retrieve('cs_test_nope')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'session' });
    expect((error as Error).message).toBe("No such checkout.session: 'cs_test_nope'");
  });

  it('refuses expansions it cannot perform', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const error = await stripe.checkout.sessions
      .retrieve(created.id, { expand: ['payment_intent'] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ param: 'expand' });
  });
});

describe('POST /v1/checkout/sessions/:id/expire', () => {
  it('expires an open session and sends checkout.session.expired carrying the request', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const seen = receiver.received.length;
    const expired = await stripe.checkout.sessions.expire(
      created.id,
      {},
      { idempotencyKey: `expire-${created.id}` },
    );
    expect(expired).toMatchObject({
      id: created.id,
      status: 'expired',
      url: null,
      payment_status: 'unpaid',
    });

    const [webhook] = (await receiver.waitFor(seen + 1)).slice(seen);
    const event = verify(webhook!, sandbox.webhookSecret);
    expect(event.type).toBe('checkout.session.expired');
    expect(event.data.object).toMatchObject({ id: created.id, status: 'expired' });
    expect(event.request).toEqual({
      id: expired.lastResponse.requestId,
      idempotency_key: `expire-${created.id}`,
    });
    expect(event.api_version).toBe(Stripe.API_VERSION);
  });

  it('refuses to expire a session that is not open', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(created.id);
    const error = await stripe.checkout.sessions
      .expire(created.id)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((error as Error).message).toContain('status of "expired"');
  });

  it('expires sessions by themselves once expires_at passes', async () => {
    // A sandbox of its own: moving the clock would age every other test's sessions.
    const own = await startSandbox({ webhookUrl: receiver.url });
    try {
      const client = stripeFor(own);
      const created = await client.checkout.sessions.create(
        sessionParams({ expires_at: now() + 30 * 60 }),
      );
      const seen = receiver.received.length;
      own.advanceClock(30 * 60 * 1000);
      const [webhook] = (await receiver.waitFor(seen + 1)).slice(seen);
      expect(webhook!.event).toMatchObject({
        type: 'checkout.session.expired',
        data: { object: { id: created.id } },
      });
      expect(verify(webhook!, own.webhookSecret).request).toEqual({
        id: null,
        idempotency_key: null,
      });
      await expect(client.checkout.sessions.retrieve(created.id)).resolves.toMatchObject({
        status: 'expired',
      });
    } finally {
      await own.close();
    }
  });

  it('answers with its clock in Date, and leaves a due session open while its expiry runs late', async () => {
    const own = await startSandbox();
    try {
      const client = stripeFor(own);
      const created = await client.checkout.sessions.create(
        sessionParams({ expires_at: now() + 30 * 60 }),
      );
      const clockOf = async () =>
        Date.parse(
          (await client.checkout.sessions.retrieve(created.id)).lastResponse.headers.date!,
        );
      expect(Math.abs((await clockOf()) - Date.now())).toBeLessThan(2_000);

      own.advanceClock(31 * 60 * 1000, { expireDue: false });
      expect((await clockOf()) - Date.now()).toBeGreaterThan(30 * 60 * 1000);
      expect(own.session(created.id)?.status).toBe('open');
      // Its expiry catches up at the next move of the clock.
      own.advanceClock(0);
      await expect.poll(() => own.session(created.id)?.status).toBe('expired');
    } finally {
      await own.close();
    }
  });
});

describe('failNext: injected faults surface as the package errors', () => {
  it('http500 -> StripeAPIError', async () => {
    sandbox.failNext('http500');
    const error = await stripe.checkout.sessions
      .create(sessionParams())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(500);
  });

  it('http500 once, with a retrying client -> not retried, as Stripe asks: the retry would get it replayed', async () => {
    // The package gives every POST an idempotency key, and Stripe saves a 500 for it; its
    // Stripe-Should-Retry: false spares the package's retry and its delay.
    const retrying = stripeFor(sandbox, { maxNetworkRetries: 1 });
    const before = sandbox.sessions().length;
    sandbox.failNext('http500');
    const error = (await retrying.checkout.sessions
      .create(sessionParams())
      .catch((caught: unknown) => caught)) as Stripe.errors.StripeError;
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error.statusCode).toBe(500);
    expect(error.headers?.['stripe-should-retry']).toBe('false');
    expect(error.headers?.['idempotent-replayed']).toBeUndefined();
    expect(sandbox.sessions().length).toBe(before);
  });

  it('card_error -> StripeCardError (402, card_declined)', async () => {
    sandbox.failNext('card_error');
    const error = await stripe.checkout.sessions
      .create(sessionParams())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
  });

  it('timeout -> StripeConnectionError once the client timeout passes', async () => {
    const impatient = stripeFor(sandbox, { timeout: 300 });
    sandbox.failNext('timeout');
    const started = Date.now();
    const error = await impatient.checkout.sessions
      .create(sessionParams())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((error as Error).message).toContain('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('reset -> StripeConnectionError (the package retries a reset once even with 0 retries)', async () => {
    sandbox.failNext('reset', 2);
    const error = await stripe.checkout.sessions
      .create(sessionParams())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
  });

  it('lost_response: the session is created once; the package retry gets the idempotent replay', async () => {
    const before = sandbox.sessions().length;
    sandbox.failNext('lost_response');
    const session = await stripe.checkout.sessions.create(sessionParams());
    expect(session.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(sandbox.sessions().length).toBe(before + 1);
  });

  it('in_progress: the same key meanwhile gets a 409 idempotency_error, then the replay', async () => {
    const once = stripeFor(sandbox, { maxNetworkRetries: 0 });
    const idempotencyKey = `in-progress-${Date.now()}`;
    const params = sessionParams();
    const before = sandbox.sessions().length;
    sandbox.failNext('in_progress');
    const first = once.checkout.sessions.create(params, { idempotencyKey });
    await expect.poll(() => sandbox.sessions().length).toBe(before + 1);
    const meanwhile = await once.checkout.sessions
      .create(params, { idempotencyKey })
      .catch((caught: unknown) => caught);
    // stripe-node files a 409 under StripeAPIError; the raw type says what it is.
    expect(meanwhile).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(meanwhile).toMatchObject({ statusCode: 409, rawType: 'idempotency_error' });
    const created = await first;
    const replayed = await once.checkout.sessions.create(params, { idempotencyKey });
    expect(replayed.id).toBe(created.id);
    expect(replayed.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(sandbox.sessions().length).toBe(before + 1);
  });

  it('faults apply to retrievals too, then the API is back', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    sandbox.failNext('http500');
    const error = (await stripe.checkout.sessions
      .retrieve(created.id)
      .catch((caught: unknown) => caught)) as Stripe.errors.StripeError;
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    // A retrieval has no idempotency key, so nothing is saved: a retry may well succeed.
    expect(error.headers?.['stripe-should-retry']).toBeUndefined();
    await expect(stripe.checkout.sessions.retrieve(created.id)).resolves.toMatchObject({
      id: created.id,
    });
  });
});
