/**
 * The network a client address belongs to, for the "key used from a new network" rule. Without a
 * geo-IP database (none ships offline) the closest stable notion is the allocation block: an IPv4
 * /24 or an IPv6 /48 (a typical site prefix). An IPv4-mapped IPv6 address counts as IPv4.
 */
import ipaddr from 'ipaddr.js';

export function networkOf(address: string): string | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return undefined;
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.kind() === 'ipv4') {
    const [a, b, c] = (ip as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 3).map((p) => p.toString(16));
  return `${parts.join(':')}::/48`;
}
