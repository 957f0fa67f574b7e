/** The log of origins CORS refuses: useful to a site owner, useless to a flood. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config';
import { RefusedOrigins } from '../../server/http/refused-origins';

const MINUTE = 60_000;

function setUp() {
  const lines: string[] = [];
  const log = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')).origin);
        done();
      },
    }),
  );
  const config = parseConfig({
    STRIPE_SECRET_KEY: 'sk_test_x',
    STRIPE_WEBHOOK_SECRET: 'whsec_x',
    PUBLIC_URL: 'https://shop.example',
    ALLOWED_ORIGINS: 'https://cards.example',
  });
  let now = 0;
  const origins = new RefusedOrigins(config, log, () => now);
  return {
    origins,
    lines,
    later: (ms: number) => {
      now += ms;
    },
  };
}

describe('refused origins', () => {
  it('are logged once an hour each; allowed ones, the own one and none never', () => {
    const { origins, lines, later } = setUp();
    origins.seen(undefined, 'a');
    origins.seen('https://cards.example', 'a');
    origins.seen('https://shop.example', 'a');
    origins.seen('https://forgot.example', 'a');
    origins.seen('https://forgot.example', 'b');
    later(59 * MINUTE);
    origins.seen('https://forgot.example', 'c');
    expect(lines).toEqual(['https://forgot.example']);
    later(MINUTE);
    origins.seen('https://forgot.example', 'd');
    expect(lines).toEqual(['https://forgot.example', 'https://forgot.example']);
  });

  it('cannot keep a real page out of the log from one address', () => {
    const { origins, lines, later } = setUp();
    for (let minute = 0; minute < 30; minute++) {
      for (let n = 0; n < 100; n++) origins.seen(`https://made-up-${minute}-${n}.example`, 'x');
      later(MINUTE);
    }
    // One address logs one line in ten minutes, however many origins it makes up.
    expect(lines).toHaveLength(3);
    origins.seen('https://forgot.example', 'shopper-1');
    expect(lines.at(-1)).toBe('https://forgot.example');
  });

  it('log at most 60 lines a minute, from however many addresses', () => {
    const { origins, lines, later } = setUp();
    for (let n = 0; n < 100; n++) origins.seen(`https://made-up-${n}.example`, `client-${n}`);
    expect(lines).toHaveLength(60);
    later(MINUTE);
    for (let n = 100; n < 200; n++) origins.seen(`https://made-up-${n}.example`, `client-${n}`);
    expect(lines).toHaveLength(120);
  });
});
