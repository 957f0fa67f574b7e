/**
 * Broken `checkout.start` inputs: a valid cart with one to three breaking mutations
 * (see arbitraries.ts). Shared by the tRPC fuzz properties, single calls and batches.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { RETURN_URL } from '../../support/orders';
import { clone, hostileValue, type Json, unknownKey, withKey, wrongTypeFor } from './arbitraries';

const CATALOG_SKUS = ['PELE-1958', 'BAGGIO-1994', 'MALDINI-2003'];

type Input = { [key: string]: Json };
type Mutation = (input: Input) => void;

const validCheckout = (): Input => ({
  checkoutId: randomUUID(),
  items: [
    { sku: 'BAGGIO-1994', quantity: 1 },
    { sku: 'PELE-1958', quantity: 1 },
  ],
  email: 'fan@example.com',
  returnUrl: RETURN_URL,
  locale: 'en',
});

const isUuidLike = (v: Json) => typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v.trim());
const isEmailLike = (v: Json) => typeof v === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v);
const onShop = (v: Json) =>
  typeof v === 'string' && URL.canParse(v) && new URL(v).origin === new URL(RETURN_URL).origin;

/** Return URLs that leave the shop's origin, with the usual tricks. */
const FOREIGN_RETURN_URLS = [
  'https://evil.example/cards',
  'http://shop.test.evil.example/cards',
  'http://shop.test@evil.example/cards',
  'http://evil.example\\@shop.test/cards',
  'http://evil.example#@shop.test',
  '//evil.example/cards',
  '/cards',
  'http://shop.test./cards',
  'https://shop.test/cards',
  'http://shop.test:8080/cards',
  'http://shop.test%2eevil.example/',
  'http://xn--shp-cdd.test/',
  'http://sh\u043ep.test/',
  'http:evil.example',
  'javascript:alert(document.cookie)',
  'JAVASCRIPT://shop.test/%0aalert(1)',
  'data:text/html,<script>alert(1)</script>',
  'file:///etc/passwd',
  'http://127.0.0.1/',
  'http://[::1]/',
];

const line = (input: Input, index: number): Input | undefined => {
  const items = input.items;
  if (!Array.isArray(items)) return undefined;
  const item = items[index];
  return item && typeof item === 'object' && !Array.isArray(item) ? item : undefined;
};

const setField =
  (field: string) =>
  (value: Json): Mutation =>
  (input) => {
    input[field] = value;
  };

const badQuantity: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(0, -0, -1, 1.5, 0.999, 100, 1e308, 2 ** 53, 'NaN', '1', null, true),
  fc.integer({ min: 100 }),
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  wrongTypeFor(1),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom('checkoutId', 'items', 'email', 'returnUrl').map(
    (field): Mutation =>
      (input) => {
        delete input[field];
      },
  ),
  hostileValue.filter((v) => !isUuidLike(v)).map(setField('checkoutId')),
  hostileValue.filter((v) => !isEmailLike(v)).map(setField('email')),
  fc
    .oneof(
      fc.constantFrom<Json>(...FOREIGN_RETURN_URLS),
      fc.webUrl().filter((u) => !onShop(u)),
      hostileValue.filter((v) => !onShop(v)),
    )
    .map(setField('returnUrl')),
  hostileValue
    .filter((v) => typeof v !== 'string' || !/^[a-z]{2}(-[A-Z]{2})?$/.test(v))
    .map(setField('locale')),
  fc
    .oneof(
      wrongTypeFor([]),
      fc.constant<Json>([]),
      fc
        .integer({ min: 51, max: 300 })
        .map((n) => Array.from({ length: n }, (_, i) => ({ sku: `S${i}`, quantity: 1 }))),
      fc.constant<Json>([
        { sku: 'BAGGIO-1994', quantity: 1 },
        { sku: 'BAGGIO-1994', quantity: 1 },
      ]),
      fc
        .array(hostileValue, { minLength: 1, maxLength: 3 })
        .filter((a) => a.some((v) => typeof v !== 'object' || v === null || Array.isArray(v))),
    )
    .map(setField('items')),
  fc.tuple(fc.nat(1), badQuantity).map(
    ([i, q]): Mutation =>
      (input) => {
        const item = line(input, i);
        if (item) item.quantity = q;
      },
  ),
  // More than the shelf holds: PELE-1958 has 3.
  fc.integer({ min: 4, max: 99 }).map(
    (q): Mutation =>
      (input) => {
        const item = line(input, 1);
        if (item) item.quantity = q;
      },
  ),
  fc
    .tuple(
      fc.nat(1),
      hostileValue.filter((v) => typeof v !== 'string' || !CATALOG_SKUS.includes(v)),
    )
    .map(
      ([i, sku]): Mutation =>
        (input) => {
          const item = line(input, i);
          if (item) item.sku = sku;
        },
    ),
  fc.tuple(fc.boolean(), unknownKey, hostileValue).map(
    ([inLine, key, value]): Mutation =>
      (input) => {
        withKey(inLine ? (line(input, 0) ?? input) : input, key, value);
      },
  ),
);

/** JSON number literals that JSON.stringify never writes but a client can. */
const QUANTITY_LITERALS = ['1e309', '-1e309', '-0', '1E2', '0.0000001', '99.5', '1e-400'];

/** The JSON text of a broken checkout input. */
export const brokenCheckoutText: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
    fc.option(fc.constantFrom(...QUANTITY_LITERALS), { nil: undefined }),
  )
  .map(([mutations, literal]) => {
    const input = clone(validCheckout());
    for (const mutate of mutations) mutate(input);
    const text = JSON.stringify(input);
    return literal ? text.replace(/"quantity":1(?=[,}])/, `"quantity":${literal}`) : text;
  });

/** A broken checkout input as a value (for batches, where the text is nested). */
export const brokenCheckout: fc.Arbitrary<Json> = brokenCheckoutText.map(
  (text) => JSON.parse(text) as Json,
);
