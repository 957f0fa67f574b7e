import { describe, expect, it } from 'vitest';
import { ConfigError, listenError, parseConfig } from '../server/config';

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
    [{ ...minimal, ALLOWED_ORIGINS: 'not a url' }, 'Invalid setting ALLOWED_ORIGINS'],
    // Both parse as URLs (schemes "localhost:" and "shop.example:"); the origin would be "null".
    [
      { ...minimal, ALLOWED_ORIGINS: 'https://shop.example,localhost:3001' },
      'Invalid setting ALLOWED_ORIGINS: "localhost:3001" is not an origin like https://shop.example',
    ],
    [
      { ...minimal, PUBLIC_URL: 'shop.example:443' },
      'Invalid setting PUBLIC_URL: must be an http(s) URL',
    ],
  ])('stops with one clear line on a bad setting (%#)', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
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
