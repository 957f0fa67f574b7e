import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, listenError, loadDemoSettings, parseConfig } from '../server/config';

const minimal = { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig(minimal);
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      eventstoreUrl: undefined,
      sqliteSynchronous: 'FULL',
      sqliteWriterThread: true,
      allowedOrigins: ['http://localhost:3000'],
      adminToken: undefined,
      trustProxy: false,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('parses every setting', () => {
    const config = parseConfig({
      ...minimal,
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://shop.example/',
      EVENTSTORE_URL: 'esdb://db:2113?tls=false',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443/path',
      ADMIN_TOKEN: 'x'.repeat(16),
      SQLITE_SYNCHRONOUS: 'NORMAL',
      SQLITE_WRITER_THREAD: 'false',
    });
    expect(config.sqliteWriterThread).toBe(false);
    expect(config.publicUrl).toBe('https://shop.example');
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(config.eventstoreUrl).toBe('esdb://db:2113?tls=false');
    expect(config.stripe.apiUrl).toBe('http://127.0.0.1:12111');
  });

  it.each([
    [{}, 'Invalid setting STRIPE_SECRET_KEY: is required'],
    [{ ...minimal, PORT: 'eighty' }, 'Invalid setting PORT'],
    [
      { ...minimal, STRIPE_SECRET_KEY: 'pk_test_abc' },
      'Invalid setting STRIPE_SECRET_KEY: must look like sk_test_',
    ],
    [
      { ...minimal, EVENTSTORE_URL: 'http://db:2113' },
      'Invalid setting EVENTSTORE_URL: must start with esdb://',
    ],
    [
      { ...minimal, ADMIN_TOKEN: 'short' },
      'Invalid setting ADMIN_TOKEN: must be at least 16 characters',
    ],
    [
      { ...minimal, ADMIN_TOKEN: ' '.repeat(16) },
      'Invalid setting ADMIN_TOKEN: must not start or end with whitespace',
    ],
    [
      { ...minimal, ADMIN_TOKEN: `${'x'.repeat(16)}\t` },
      'Invalid setting ADMIN_TOKEN: must not start or end with whitespace',
    ],
    [{ ...minimal, ALLOWED_ORIGINS: 'not a url' }, 'Invalid setting ALLOWED_ORIGINS'],
    [
      { ...minimal, ALLOWED_ORIGINS: ' , ' },
      'Invalid setting ALLOWED_ORIGINS: names no origin; give one like https://shop.example',
    ],
    [{ ...minimal, ALLOWED_ORIGINS: '\t' }, 'Invalid setting ALLOWED_ORIGINS: names no origin'],
    // Both parse as URLs (schemes "localhost:" and "shop.example:"); the origin would be "null".
    [
      { ...minimal, ALLOWED_ORIGINS: 'https://shop.example,localhost:3001' },
      'Invalid setting ALLOWED_ORIGINS: "localhost:3001" is not an origin like https://shop.example',
    ],
    [
      { ...minimal, PUBLIC_URL: 'shop.example:443' },
      'Invalid setting PUBLIC_URL: must be an http(s) URL',
    ],
    // The usual CORS idiom: kept as an origin, it would match no page and refuse them all.
    [
      { ...minimal, ALLOWED_ORIGINS: 'https://*.shop.example' },
      'Invalid setting ALLOWED_ORIGINS: "https://*.shop.example" has a wildcard, which is not supported',
    ],
    // A secret file's last newline: the key does look like sk_live_..., so say what is wrong.
    [
      { ...minimal, STRIPE_SECRET_KEY: 'sk_live_abc\n' },
      'Invalid setting STRIPE_SECRET_KEY: must not start or end with whitespace',
    ],
    [
      { ...minimal, STRIPE_WEBHOOK_SECRET: ' whsec_abc' },
      'Invalid setting STRIPE_WEBHOOK_SECRET: must not start or end with whitespace',
    ],
    [
      { ...minimal, STRIPE_SECRET_KEY: 'pk_live_abc' },
      'Invalid setting STRIPE_SECRET_KEY: must look like sk_test_... or sk_live_... (or a restricted rk_test_... / rk_live_... key)',
    ],
  ])('stops with one clear line on a bad setting (%#)', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('reads an empty setting as unset', () => {
    const config = parseConfig({ ...minimal, PORT: '', ALLOWED_ORIGINS: '', TRUST_PROXY: '' });
    expect(config).toMatchObject({
      port: 3000,
      allowedOrigins: ['http://localhost:3000'],
      trustProxy: false,
    });
  });

  it.each([
    ['EADDRINUSE', 'it is already in use'],
    ['EACCES', 'it needs privileges this process does not have'],
    ['EADDRNOTAVAIL', 'it is not an address of this machine'],
  ])('names the setting behind a listen error (%s)', (code, why) => {
    const error = listenError(Object.assign(new Error(code), { code }), 'PORT, HOST', 'h:1');
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`Cannot listen on h:1 (PORT, HOST): ${why}`);
  });

  it('passes any other error on as it was', () => {
    const other = Object.assign(new Error('boom'), { code: 'EMFILE' });
    expect(listenError(other, 'PORT', 'h:1')).toBe(other);
    expect(listenError('text', 'PORT', 'h:1')).toBe('text');
  });
});

describe('whole-number settings', () => {
  const settings = [
    ['PORT', 0, 65_535],
    ['STRIPE_TIMEOUT_MS', 100, 120_000],
    ['CHECKOUT_RATE_LIMIT', 1, 100_000],
    ['MAX_HELD_UNITS', 1, 100_000],
    ['MAX_HELD_UNITS_PER_CLIENT', 1, 100_000],
    ['RESERVATION_GRACE_SECONDS', 0, 86_400],
    ['SWEEP_INTERVAL_SECONDS', 0, 86_400],
  ] as const;
  // Blank and hex used to read as 0 and 31: a sweep silently off, a random port.
  const notPlainDigits = [' ', '\t', '0x1F', '1e1', '1.0', '-0', '+5', ' 30', '30 ', 'Infinity'];

  it.each(settings)('%s takes plain decimal digits only', (name, min, max) => {
    for (const value of notPlainDigits) {
      expect(() => parseConfig({ ...minimal, [name]: value })).toThrow(
        new ConfigError(
          `Invalid setting ${name}: must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
        ),
      );
    }
  });

  it.each(settings)('%s takes its bounds and nothing past them', (name, min, max) => {
    expect(() => parseConfig({ ...minimal, [name]: String(min) })).not.toThrow();
    expect(() => parseConfig({ ...minimal, [name]: String(max) })).not.toThrow();
    expect(() => parseConfig({ ...minimal, [name]: String(max + 1) })).toThrow(
      `Invalid setting ${name}: must be a whole number from ${min} to ${max}, not "${max + 1}"`,
    );
    if (min > 0) {
      expect(() => parseConfig({ ...minimal, [name]: String(min - 1) })).toThrow(
        `Invalid setting ${name}: must be a whole number`,
      );
    }
  });

  it('reads the digits as the number they spell', () => {
    const config = parseConfig({
      ...minimal,
      PORT: '8080',
      SWEEP_INTERVAL_SECONDS: '0',
      RESERVATION_GRACE_SECONDS: '010',
    });
    expect(config).toMatchObject({ port: 8080, sweepIntervalMs: 0, reservationGraceMs: 10_000 });
  });

  describe('of the demo launcher', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it.each(['SANDBOX_PORT', 'DEMO_EMBED_PORT', 'PORT'])(
      '%s takes plain decimal digits only, and a port of its own (not 0)',
      (name) => {
        for (const value of [' ', '0']) {
          vi.stubEnv(name, value);
          expect(() => loadDemoSettings()).toThrow(
            new ConfigError(
              `Invalid setting ${name}: must be a whole number from 1 to 65535, not "${value}"`,
            ),
          );
        }
      },
    );
  });
});

describe('TRUST_PROXY', () => {
  const trustProxy = (value: string) => parseConfig({ ...minimal, TRUST_PROXY: value }).trustProxy;

  it('is off unless set, and with false', () => {
    expect(parseConfig(minimal).trustProxy).toBe(false);
    expect(trustProxy('false')).toBe(false);
  });

  it('names the proxies to believe by IP address or CIDR range', () => {
    expect(trustProxy('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(trustProxy(' 10.0.0.0/8, ::1 ,fd00::/8,192.168.1.7/32')).toEqual([
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      '192.168.1.7/32',
    ]);
  });

  it.each([
    // Fastify would believe every hop, the left-most written by the client itself.
    [
      'true',
      /^Invalid setting TRUST_PROXY: true would believe every X-Forwarded-For entry, so any client could choose its own IP; give your proxies' addresses instead, e\.g\. TRUST_PROXY=127\.0\.0\.1/,
    ],
    ['TRUE', /^Invalid setting TRUST_PROXY: true would believe every X-Forwarded-For entry/],
    [
      '1',
      /^Invalid setting TRUST_PROXY: a number of proxies cannot tell a proxy from a client that connects directly; give your proxies' addresses instead/,
    ],
    [' , ', /^Invalid setting TRUST_PROXY: names no proxy; give your proxies' addresses instead/],
    [
      'proxy.example',
      /^Invalid setting TRUST_PROXY: "proxy\.example" is not an IP address or a CIDR range like 10\.0\.0\.0\/8$/,
    ],
    ['127.0.0.1, loopback', /"loopback" is not an IP address or a CIDR range/],
    ['10.0.0.0/8/8', /"10\.0\.0\.0\/8\/8" is not an IP address or a CIDR range/],
    ['0x7f.0.0.1', /"0x7f\.0\.0\.1" is not an IP address/],
    [
      '10.0.0.0/33',
      /^Invalid setting TRUST_PROXY: "10\.0\.0\.0\/33" needs a prefix length from 1 to 32$/,
    ],
    ['0.0.0.0/0', /"0\.0\.0\.0\/0" needs a prefix length from 1 to 32$/],
    ['::/129', /"::\/129" needs a prefix length from 1 to 128$/],
    ['10.0.0.0/', /"10\.0\.0\.0\/" needs a prefix length from 1 to 32$/],
    ['10.0.0.0/+8', /needs a prefix length from 1 to 32$/],
    ['10.0.0.0/255.0.0.0', /needs a prefix length from 1 to 32$/],
  ])('refuses %j at start', (value, message) => {
    expect(() => trustProxy(value)).toThrow(ConfigError);
    expect(() => trustProxy(value)).toThrow(message);
  });
});
