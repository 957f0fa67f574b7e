import { isIPv4, isIPv6 } from 'node:net';

/**
 * Who a request counts against for the checkout rate limit and the held-units cap: its IPv4
 * address, or the /64 network of its IPv6 one, since a single host is usually given a
 * whole /64 and could take a fresh address for every request.
 */
export function clientKey(ip: string | undefined): string {
  // Fastify has no address for a client whose socket is already gone.
  if (!ip) return 'unknown';
  if (isIPv4(ip)) return ip;
  const mapped = ip.match(/^(?:::|(?:0{1,4}:){5})ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (mapped) return mapped;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
