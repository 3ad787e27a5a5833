import { isIPv6 } from 'node:net';

/**
 * The throttle's notion of a source: the IPv4 address, or the /64 prefix of an IPv6 address (one
 * subscriber usually holds a whole /64, so counting single IPv6 addresses would give an attacker
 * 2^64 fresh sources). IPv4-mapped IPv6 addresses count as their IPv4 address.
 *
 * @example
 * ```ts
 * sourceOf('2001:db8::1'); // '2001:db8:0:0::/64'
 * sourceOf('::ffff:10.0.0.1'); // '10.0.0.1'
 * ```
 */
export function sourceOf(ip: string | null): string {
  if (ip === null || ip === '') return 'unknown';
  // No colon, no IPv6 (nor a mapped one): skip the costly checks on the common IPv4 path.
  if (!ip.includes(':')) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) return mapped[1] as string;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
