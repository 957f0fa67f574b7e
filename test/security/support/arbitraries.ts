/**
 * Hostile values and mutations for property-based tests. Every mutation here breaks the
 * input it is applied to by construction (wrong type, missing field, unknown key, value
 * out of range), so a request carrying it must be refused and must change nothing.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** fast-check settings: bounded runs; FC_SEED (printed by fast-check on failure) replays one. */
export function runs(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED;
  return {
    numRuns,
    ...(seed && { seed: Number(seed) }),
    ...(process.env.FC_PATH && { path: process.env.FC_PATH }),
  };
}

/** Keys that pollute prototypes when a parser or a merge trusts them. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

const nested = (depth: number, kind: 'array' | 'object'): Json => {
  let value: Json = 1;
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
};

/** Numbers JSON can carry that validators often get wrong, also as strings. */
const trickyNumbers: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  0,
  -0,
  -1,
  0.5,
  1.5,
  99.999,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  'NaN',
  '-0',
  '1e308',
  'Infinity',
  '1',
  '0x10',
  '',
);

const protoObject: fc.Arbitrary<Json> = fc
  .constantFrom(...PROTO_KEYS)
  .map((key) => withKey({}, key, { polluted: true, prototype: { polluted: true } }));

/** Any JSON value a hostile client might send in place of a field. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  trickyNumbers,
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  // Lone surrogates and control characters.
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom<Json>('x'.repeat(5_000), '\u0000', '\u202e\u200b', '💳'.repeat(300), '<script>'),
  // Deeper nesting is sent as raw text (deepJsonText): JSON.stringify itself overflows first.
  fc.integer({ min: 2, max: 800 }).map((d) => nested(d, 'array')),
  fc.integer({ min: 2, max: 500 }).map((d) => nested(d, 'object')),
  protoObject,
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Adds an own enumerable key, even `__proto__`, so JSON.stringify writes it out. */
export function withKey<T extends object>(target: T, key: string, value: Json): T {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return target;
}

export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * A key no strict shopper-facing schema takes: a price or a total the client may not set.
 * The admin product inputs do take `unitAmount`; their properties filter it out.
 */
export const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTO_KEYS, 'total', 'unitAmount', 'price', 'admin', 'isAdmin'),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `x_${s}`),
);

/** A value whose JSON type differs from `like`'s, so no schema expecting `like`'s type accepts it. */
export const wrongTypeFor = (like: unknown): fc.Arbitrary<Json> =>
  hostileValue.filter((value) => jsonType(value) !== jsonType(like));

const jsonType = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** Body bytes that are not valid UTF-8 (lone continuation bytes, overlongs, truncated sequences). */
const invalidUtf8: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.string({ maxLength: 20 }),
    fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xe2, 0x82], [0x80], [0xed, 0xa0, 0x80]),
    fc.string({ maxLength: 20 }),
  )
  .map(([before, bad, after]) =>
    Buffer.concat([Buffer.from(`{"a":"${before}`), Buffer.from(bad), Buffer.from(`${after}"}`)]),
  );

/** Content types a client may claim for a JSON body, sensible and not. */
export const contentTypes: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  fc.constantFrom<string | string[] | undefined>(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/json; charset=utf-16',
    'application/json;;;',
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    '*/*',
    '',
    ['application/json', 'text/plain'],
    ['application/json', 'application/json'],
  ),
  fc.string({ maxLength: 30 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
);

/** Compression claims the server must not trust on a plain body. */
export const contentEncodings = fc.constantFrom<string | undefined>(
  undefined,
  'gzip',
  'deflate',
  'br',
  'identity',
  'gzip, gzip',
  'x-unknown',
);

/** Arbitrary request body bytes: JSON of anything, text, binary. */
export const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  invalidUtf8,
  fc.constantFrom('', '{', '[', 'null', '{"a":', '{"0":{"json":1}}', '\u0000', '{}'.repeat(10_000)),
  fc.integer({ min: 1_000, max: 30_000 }).map(deepJsonText),
);

/** JSON nested `depth` levels deep, as text (arrays and objects alternating with depth). */
function deepJsonText(depth: number): string {
  const kind = depth % 2 === 0 ? ['[', ']'] : ['{"a":', '}'];
  return `${kind[0]!.repeat(depth)}1${kind[1]!.repeat(depth)}`;
}
