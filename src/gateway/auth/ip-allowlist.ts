import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

// Parsed lists, per list object: the verified-key cache hands out the same array for a key.
const parsed = new WeakMap<readonly string[], Range[]>();

function rangesOf(list: readonly string[]): Range[] {
  let ranges = parsed.get(list);
  if (!ranges) {
    ranges = list.flatMap((entry): Range[] => {
      try {
        if (entry.includes('/')) return [ipaddr.parseCIDR(entry)];
        const address = ipaddr.parse(entry);
        return [[address, address.kind() === 'ipv4' ? 32 : 128]];
      } catch {
        return []; // validated on write; an unreadable entry allows nothing
      }
    });
    parsed.set(list, ranges);
  }
  return ranges;
}

function normalise(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    const ip = ipaddr.parse(address);
    return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
  } catch {
    return undefined;
  }
}

/** Is the client address inside one of the key's allowed addresses or ranges? (Unknown address: no.) */
export function ipAllowed(clientIp: string, allowlist: readonly string[]): boolean {
  const ip = normalise(clientIp);
  if (!ip) return false;
  return rangesOf(allowlist).some(([network, prefix]) => network.kind() === ip.kind() && ip.match(network, prefix));
}
