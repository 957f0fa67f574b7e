import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { checkout, RETURN_URL } from '../support/orders';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.admin.admin.listProduct.mutate({
    sku: 'GOLD-BAR',
    name: 'Gold bar',
    unitAmount: 40_000_000,
    currency: 'eur',
    stock: 10,
  });
  await t.admin.admin.listProduct.mutate({
    sku: 'STICKER',
    name: 'Sticker',
    unitAmount: 20,
    currency: 'eur',
    stock: 10,
  });
});
afterAll(async () => {
  await t?.close();
});

const valid = () => ({
  checkoutId: randomUUID(),
  items: [{ sku: 'PELE-1958', quantity: 1 }],
  email: 'fan@example.com',
  returnUrl: RETURN_URL,
});

/** Everything a bad request could have changed: the log and the stock. */
async function footprint() {
  const events = (await t.app.services.store.readAll()).length;
  const stock = (await t.client.catalog.list.query()).map((p) => `${p.sku}:${p.available}`);
  return { events, stock };
}

async function callCheckout(body: string | object, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.url}/trpc/checkout.start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

const checkoutCases: [string, string | object, number, RegExp][] = [
  ['items of the wrong type', { ...valid(), items: 'lots' }, 400, /items/],
  [
    'a negative quantity',
    { ...valid(), items: [{ sku: 'PELE-1958', quantity: -1 }] },
    400,
    /quantity/,
  ],
  ['a zero quantity', { ...valid(), items: [{ sku: 'PELE-1958', quantity: 0 }] }, 400, /quantity/],
  [
    'a huge quantity',
    { ...valid(), items: [{ sku: 'PELE-1958', quantity: 1e9 }] },
    400,
    /quantity/,
  ],
  [
    'a fractional quantity',
    { ...valid(), items: [{ sku: 'PELE-1958', quantity: 1.5 }] },
    400,
    /quantity/,
  ],
  [
    '1000 lines',
    { ...valid(), items: Array.from({ length: 1000 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) },
    400,
    /at most 50 lines/,
  ],
  ['an empty cart', { ...valid(), items: [] }, 400, /the cart is empty/],
  [
    'the same sku twice',
    {
      ...valid(),
      items: [
        { sku: 'PELE-1958', quantity: 1 },
        { sku: 'PELE-1958', quantity: 1 },
      ],
    },
    400,
    /each sku at most once/,
  ],
  [
    'a returnUrl on a foreign origin',
    { ...valid(), returnUrl: 'https://evil.example/steal' },
    400,
    /allowed origin/,
  ],
  [
    'a javascript: returnUrl',
    { ...valid(), returnUrl: 'javascript:alert(1)' },
    400,
    /allowed origin|returnUrl/,
  ],
  [
    'a blob: returnUrl (its origin is an allowed one, but it is no page Stripe can return to)',
    { ...valid(), returnUrl: `blob:${RETURN_URL}` },
    400,
    /an http or https URL/,
  ],
  [
    'a returnUrl whose path grows past 2000 characters once encoded',
    { ...valid(), returnUrl: `${RETURN_URL}${'"'.repeat(1900)}` },
    400,
    /returnUrl.*once URL-encoded|once URL-encoded/,
  ],
  [
    'a tampered line price',
    { ...valid(), items: [{ sku: 'PELE-1958', quantity: 1, unitAmount: 1 }] },
    400,
    /unitAmount|Unrecognized/i,
  ],
  ['a tampered total', { ...valid(), total: 1 }, 400, /total|Unrecognized/i],
  ['a bad email', { ...valid(), email: 'not-an-email' }, 400, /email/i],
  [
    'an email with more than 64 characters before the @',
    { ...valid(), email: `${'a'.repeat(65)}@example.com` },
    400,
    /at most 64 characters before the @/,
  ],
  ['a missing email', { ...valid(), email: undefined }, 400, /email/i],
  ['a checkoutId that is not a UUID', { ...valid(), checkoutId: '1' }, 400, /checkoutId/],
  [
    'an unknown sku',
    { ...valid(), items: [{ sku: 'NO-SUCH-CARD', quantity: 1 }] },
    400,
    /unknown_sku/,
  ],
  [
    'a sku with odd characters',
    { ...valid(), items: [{ sku: '../../etc', quantity: 1 }] },
    400,
    /sku/,
  ],
  [
    'more than is in stock',
    { ...valid(), items: [{ sku: 'PELE-1958', quantity: 50 }] },
    400,
    /insufficient_stock/,
  ],
  [
    'a total past the most one Stripe payment can take (99,999,999)',
    { ...valid(), items: [{ sku: 'GOLD-BAR', quantity: 3 }] },
    400,
    /GOLD-BAR amount_too_large/,
  ],
  [
    'a total under the smallest payment Stripe takes (0.50 EUR)',
    { ...valid(), items: [{ sku: 'STICKER', quantity: 2 }] },
    400,
    /amount_too_small/,
  ],
  ['malformed JSON', '{"checkoutId": ', 400, /JSON|parse/i],
  ['an oversized body', { ...valid(), padding: 'x'.repeat(200_000) }, 413, /too large/i],
];

describe('bad checkout input gets a specific 4xx and changes nothing', () => {
  it.each(checkoutCases)('%s', async (_name, body, status, message) => {
    const before = await footprint();
    const response = await callCheckout(body);
    expect(response.status).toBe(status);
    expect(response.text).toMatch(message);
    expect(await footprint()).toEqual(before);
  });

  it('says what is wrong in one line, and names each field in data.issues', async () => {
    const response = await callCheckout({ ...valid(), email: 'not-an-email', checkoutId: '1' });
    const { message, data } = JSON.parse(response.text).error;
    expect(message).toBe('Invalid input: checkoutId: Invalid UUID; email: Invalid email address');
    expect(data.issues).toEqual([
      { path: 'checkoutId', message: 'Invalid UUID' },
      { path: 'email', message: 'Invalid email address' },
    ]);
  });

  it('names returnUrl in data.issues when its origin is not allowed, as any field', async () => {
    const response = await callCheckout({ ...valid(), returnUrl: 'http://elsewhere.test/cards' });
    const { message, data } = JSON.parse(response.text).error;
    expect(message).toBe(
      'Invalid input: returnUrl: must be on an allowed origin; http://elsewhere.test is not one',
    );
    expect(data.issues).toEqual([
      {
        path: 'returnUrl',
        message: 'must be on an allowed origin; http://elsewhere.test is not one',
      },
    ]);
  });

  it('says an input that is missing altogether is, in one line saying it once', async () => {
    const response = await fetch(`${t.url}/trpc/order.get`);
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toBe(
      'Invalid input: expected object, received undefined',
    );
  });

  it.each([
    ['es-419', 'es'],
    ['zh-Hant-TW', 'auto'],
  ])(
    'takes the language tag %s a browser sends; Stripe shows its page in %s',
    async (locale, shown) => {
      const response = await callCheckout({ ...valid(), locale });
      expect(response.status).toBe(200);
      const { orderId } = JSON.parse(response.text).result.data;
      const session = t.sandbox.sessions().find((s) => s.client_reference_id === orderId);
      expect(session?.locale).toBe(shown);
    },
  );

  it('names the lines to fix with what is available', async () => {
    const response = await callCheckout({
      ...valid(),
      items: [
        { sku: 'PELE-1958', quantity: 9 },
        { sku: 'NOPE', quantity: 1 },
      ],
    });
    const problems = JSON.parse(response.text).error.data.problems;
    expect(problems).toEqual([
      { sku: 'PELE-1958', code: 'insufficient_stock', available: expect.any(Number), requested: 9 },
      { sku: 'NOPE', code: 'unknown_sku' },
    ]);
  });

  it('says the smallest total Stripe takes when the cart is below it', async () => {
    const response = await callCheckout({ ...valid(), items: [{ sku: 'STICKER', quantity: 2 }] });
    expect(JSON.parse(response.text).error.data.problems).toEqual([
      { code: 'amount_too_small', minimum: 50, currency: 'eur' },
    ]);
    const enough = await callCheckout({ ...valid(), items: [{ sku: 'STICKER', quantity: 3 }] });
    expect(enough.status).toBe(200);
  });

  it('says how many of a line fit in one payment', async () => {
    const response = await callCheckout({
      ...valid(),
      items: [
        { sku: 'PELE-1958', quantity: 1 },
        { sku: 'GOLD-BAR', quantity: 3 },
      ],
    });
    expect(JSON.parse(response.text).error.data.problems).toEqual([
      { sku: 'GOLD-BAR', code: 'amount_too_large', maxQuantity: 2, requested: 3 },
    ]);
  });
});

describe('an unexpected server error', () => {
  it('tells the caller only that it happened, not its own words', async () => {
    const { products } = t.app.services;
    const states = products.states;
    products.states = () => Promise.reject(new Error('disk I/O error at /srv/shop/data'));
    try {
      const response = await callCheckout(valid());
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text).error.message).toBe('Internal server error');
      expect(response.text).not.toMatch(/srv|disk/);
    } finally {
      products.states = states;
    }
  });
});

describe('bad webhooks get 400 and append nothing', () => {
  const sign = (payload: string, secret = t.sandbox.webhookSecret, timestamp?: number) =>
    Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp && { timestamp }) });

  async function post(body: string, signature?: string) {
    const response = await fetch(`${t.url}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature && { 'stripe-signature': signature }),
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  let payload = '';
  beforeAll(async () => {
    t.sandbox.setWebhookUrl(undefined);
    const order = await checkout(t, [{ sku: 'BAGGIO-1994', quantity: 1 }]);
    await t.sandbox.pay(order.sessionId);
    payload = JSON.stringify(
      t.sandbox.events().findLast((e) => e.type === 'checkout.session.completed'),
    );
    t.sandbox.setWebhookUrl(`${t.url}/webhooks/stripe`);
  });

  const cases: [string, () => [string, string | undefined], RegExp][] = [
    ['no signature', () => [payload, undefined], /Missing Stripe-Signature/],
    [
      'a signature made with another secret',
      () => [payload, sign(payload, 'whsec_wrong')],
      /signature/i,
    ],
    ['a garbage signature header', () => [payload, 't=1,v1=deadbeef'], /signature|timestamp/i],
    [
      'a replayed signature older than 300 s',
      () => [payload, sign(payload, undefined, Math.floor(Date.now() / 1000) - 600)],
      /tolerance|timestamp/i,
    ],
    [
      'a valid signature over a changed body',
      () => [payload.replace('"paid"', '"unpaid"'), sign(payload)],
      /signature/i,
    ],
    [
      'a signed body that is not JSON',
      () => ['not json', sign('not json')],
      /signature|JSON|parse/i,
    ],
    ['an empty body', () => ['', sign('')], /raw JSON body|signature/i],
  ];

  it.each(cases)('%s', async (_name, make, message) => {
    const before = await footprint();
    const [body, signature] = make();
    const response = await post(body, signature);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(message);
    expect(await footprint()).toEqual(before);
  });

  it('acknowledges an event type it does not handle, and records nothing', async () => {
    const before = await footprint();
    const other = JSON.stringify({
      ...JSON.parse(payload),
      id: 'evt_other',
      type: 'customer.created',
    });
    const response = await post(other, sign(other));
    expect(response.status).toBe(200);
    expect(await footprint()).toEqual(before);
  });
});
