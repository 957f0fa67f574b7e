/**
 * What the server's logger masks, wherever it sits in a line: error messages and stacks,
 * the message pino takes from an error, bindings, formatted arguments. Masked, a line
 * still says what happened; and what only looks like a secret is left as it is.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/app';
import { maskLogLine, maskSensitive } from '../../server/masking';

const EMAIL = 'jane.doe@example.com';
const SECRET_KEY = 'sk_live_51HxLogsMaskingKey0123';
const CARD = '4242 4242 4242 4242';

function capture() {
  const lines: string[] = [];
  const log = createLogger(
    'trace',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    }),
  );
  return { log, lines };
}

describe('maskSensitive', () => {
  it.each([
    ['an email address, to its first character and domain', `to ${EMAIL}.`, 'to j***@example.com.'],
    ['a secret key, to its prefix', `key ${SECRET_KEY}`, 'key sk_live_***'],
    ['a restricted key', 'rk_test_abc123DEF', 'rk_test_***'],
    ['a webhook secret, underscores and all', 'whsec_sandbox_0123abcd', 'whsec_***'],
    ['a live publishable key', 'pk_live_abc123DEF456', 'pk_live_***'],
    ['a card number as typed, to its last four digits', CARD, '**** **** **** 4242'],
    ['a card number in one run', 'card 4000000000000002', 'card ************0002'],
    ['a card number with dashes', '5555-5555-5555-4444', '****-****-****-4444'],
    ['an Amex number as printed (4-6-5)', '3782 822463 10005', '**** ****** *0005'],
    ['an address URL-encoded, as in a path', '/u/jane.doe%40example.com', '/u/j***%40example.com'],
    ['an address in a query', '?email=jane.doe%40example.com&x=1', '?email=j***%40example.com&x=1'],
    [
      'an address with an apostrophe or other rarer characters',
      "by john.o'connor-smith@example.com and {ann}~b@example.org",
      'by j***@example.com and {***@example.org',
    ],
    [
      'an address with its @ escaped, as JSON text an error message quotes',
      '{"email":"jane.doe\\u0040example.com"}',
      '{"email":"j***\\u0040example.com"}',
    ],
  ])('masks %s', (_what, text, masked) => {
    expect(maskSensitive(text)).toBe(masked);
  });

  it('leaves text it masked before as it is (an error message masked, then its log line)', () => {
    const once = maskSensitive(
      `for ${EMAIL} (${encodeURIComponent(EMAIL)}): key ${SECRET_KEY}, whsec_0123abcdEF, card ${CARD}`,
    );
    expect(once).toBe(
      'for j***@example.com (j***%40example.com): key sk_live_***, whsec_***, card **** **** **** 4242',
    );
    expect(maskSensitive(once)).toBe(once);
  });

  it.each([
    ['a digit run that fails the Luhn check', 'ref 4242424242424241'],
    ['a Unix time in milliseconds that fails it', 'at 1718000000001'],
    ['twelve digits', '424242424242'],
    ['a UUID', 'order 0f8a2c1e-4b7d-4c6a-9e0f-123456789012'],
    ['an ISO time and an amount', '2026-11-27T08:00:00.000Z 18900 eur'],
    ['words that merely contain sk_ or an @', 'task_runner1 risk_level @trpc/server'],
    ['Stripe ids', 'cs_test_a1B2c3D4e5F6g7H8i9J0 pi_3MtwBwLkdIwHu7ix28a3tqPa evt_1NG8Du2eZvKYlo2C'],
  ])('leaves %s alone', (_what, text) => {
    expect(maskSensitive(text)).toBe(text);
  });
});

describe('the server’s logger', () => {
  it('masks an error’s message and stack, and keeps what they say', () => {
    const { log, lines } = capture();
    const error = new Error(`Invalid email address: ${EMAIL} (key ${SECRET_KEY}, card ${CARD})`);
    log.error({ err: error, orderId: 'o-1' }, 'tRPC error');
    log.error(error);

    expect(lines).toHaveLength(2);
    for (const line of lines) {
      for (const secret of [EMAIL, SECRET_KEY, CARD, '4242424242424242']) {
        expect(line).not.toContain(secret);
      }
    }
    const [withMessage, bare] = lines.map(
      (line) => JSON.parse(line) as { msg: string; time: number; err: Record<string, string> },
    );
    const said =
      'Invalid email address: j***@example.com (key sk_live_***, card **** **** **** 4242)';
    expect(withMessage).toMatchObject({ msg: 'tRPC error', orderId: 'o-1' });
    expect(withMessage!.err).toMatchObject({ type: 'Error', message: said });
    expect(withMessage!.err.stack).toMatch(
      /^Error: Invalid email address: j\*\*\*@example\.com .*\n\s+at /,
    );
    // Pino takes the message of an error logged alone from the error itself.
    expect(bare!.msg).toBe(said);
    expect(typeof bare!.time).toBe('number');
  });

  it('masks bindings and formatted arguments too', () => {
    const { log, lines } = capture();
    log.child({ shopper: EMAIL }).info('paid with %s', CARD);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      shopper: 'j***@example.com',
      msg: 'paid with **** **** **** 4242',
    });
  });

  it('masks what follows a character JSON escapes (a newline, a control character)', () => {
    const { log, lines } = capture();
    log.warn({ detail: `first line\n${SECRET_KEY}\u0001${CARD.replaceAll(' ', '')}` }, 'odd');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      detail: 'first line\nsk_live_***\u0001************4242',
    });
  });

  it('masks an address whose @ is URL-encoded or JSON-escaped in the text', () => {
    const { log, lines } = capture();
    log.info({
      url: `/orders/${encodeURIComponent(EMAIL)}`,
      said: 'got jane.doe\\u0040example.com',
    });
    expect(lines[0]).not.toContain('jane.doe');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      url: '/orders/j***%40example.com',
      said: 'got j***\\u0040example.com',
    });
  });

  it('writes a line with nothing to mask unchanged', () => {
    const line =
      '{"level":30,"time":1718000000000,"pid":42,"reqId":"req-1","res":{"statusCode":200},"msg":"request completed"}\n';
    expect(maskLogLine(line)).toBe(line);
  });
});
