import { describe, expect, it } from 'vitest';
import { clientKey } from '../../server/http/client-key';

describe('clientKey (what the checkout rate limit and the held-units cap count against)', () => {
  it.each([
    ['an IPv4 address, as it is', '203.0.113.9', '203.0.113.9'],
    ['an IPv4-mapped IPv6 address, as its IPv4 address', '::ffff:203.0.113.9', '203.0.113.9'],
    ['one written out in full', '0:0:0:0:0:ffff:203.0.113.9', '203.0.113.9'],
    ['an IPv6 address, as its /64', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['a compressed one, the same /64', '2001:db8:1:2::7', '2001:db8:1:2::/64'],
    ['upper case and leading zeros, the same /64', '2001:DB8:0001:0002::', '2001:db8:1:2::/64'],
    ['a /64 with zero groups', '2001:db8::1', '2001:db8:0:0::/64'],
  ])('keys %s', (_what, ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });

  it('keys a request whose address is gone (its socket closed) as unknown, not a crash', () => {
    expect(clientKey(undefined)).toBe('unknown');
  });

  it('gives a host rotating through its /64 one key, and the next /64 another', () => {
    const keys = new Set(
      Array.from({ length: 50 }, (_, i) => clientKey(`2001:db8:aa:bb:${i.toString(16)}::1`)),
    );
    expect([...keys]).toEqual(['2001:db8:aa:bb::/64']);
    expect(clientKey('2001:db8:aa:bc::1')).not.toBe('2001:db8:aa:bb::/64');
  });
});
