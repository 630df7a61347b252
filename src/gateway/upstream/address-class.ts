/**
 * What kind of network an IP address belongs to, for the SSRF policy (ssrf.ts). The tables are
 * written out by hand instead of using ipaddr.js's `range()` names so that a reviewer can audit
 * exactly which ranges are refused, and a library upgrade cannot silently move one.
 *
 * Embedded IPv4 forms that are unwrapped (the address is classified as the IPv4 it carries,
 * because that is where the packets end up):
 * - IPv4-mapped `::ffff:0:0/96`: the kernel connects over IPv4 to the embedded address.
 * - NAT64 well-known prefix `64:ff9b::/96`: a NAT64 gateway translates to the embedded address.
 *   Must be unwrapped, not refused: on IPv6-only networks with DNS64, public providers resolve here.
 * - 6to4 `2002::/16`: packets are tunnelled to the IPv4 in bits 16-47 (deprecated, RFC 7526,
 *   but still routed by some relays), so `2002:a9fe:a9fe::` is the metadata endpoint.
 *
 * Embedded forms that are refused outright ('reserved'), because they have no legitimate use for
 * reaching an LLM provider and unwrapping them would only add parsing surface:
 * - IPv4-compatible `::a.b.c.d` (deprecated, RFC 4291), except `::` and `::1`.
 * - Teredo `2001::/32` (inside 2001::/23): two embedded addresses, one of them obfuscated.
 * - Local-use NAT64 `64:ff9b:1::/48` (RFC 8215): where the IPv4 sits depends on the operator's
 *   prefix length, which we cannot know.
 */
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

type Range = readonly [network: ipaddr.IPv4 | ipaddr.IPv6, prefixLength: number, addressClass: AddressClass];

function table(rows: readonly (readonly [cidr: string, addressClass: AddressClass])[]): readonly Range[] {
  return rows.map(([cidr, addressClass]) => {
    const [network, prefix] = ipaddr.parseCIDR(cidr);
    return [network, prefix, addressClass] as const;
  });
}

// First match wins, so the single metadata addresses come before the ranges that contain them.
const IPV4_RANGES = table([
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OCI, DigitalOcean, OpenStack, ...
  ['169.254.170.2/32', 'metadata'], // AWS ECS task credentials
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud (inside CGNAT space, so it must be listed)
  ['168.63.129.16/32', 'metadata'], // Azure WireServer: looks public, serves VM extension settings
  ['0.0.0.0/8', 'unspecified'], // "this network": Linux connects 0.0.0.0 to the local host
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'private'], // carrier-grade NAT, used as internal space by clouds and Tailscale
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'reserved'], // documentation
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['198.51.100.0/24', 'reserved'], // documentation
  ['203.0.113.0/24', 'reserved'], // documentation
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // future use, includes the limited broadcast 255.255.255.255
]);

const IPV6_RANGES = table([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fd00:ec2::254/128', 'metadata'], // AWS IMDS over IPv6 (inside ULA space, so it must be listed)
  ['::/96', 'reserved'], // IPv4-compatible, deprecated
  ['64:ff9b:1::/48', 'reserved'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2001::/23', 'reserved'], // IETF protocol assignments, includes Teredo 2001::/32
  ['2001:db8::/32', 'reserved'], // documentation
  ['3fff::/20', 'reserved'], // documentation (RFC 9637)
  ['fc00::/7', 'private'], // unique local
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
]);

// Everything outside global unicast (site-local fec0::/10, unassigned space) is refused.
const [GLOBAL_UNICAST, GLOBAL_UNICAST_PREFIX] = ipaddr.parseCIDR('2000::/3');
const [NAT64, NAT64_PREFIX] = ipaddr.parseCIDR('64:ff9b::/96');
const [SIX_TO_FOUR, SIX_TO_FOUR_PREFIX] = ipaddr.parseCIDR('2002::/16');

/**
 * Parses an address as the resolver or the URL parser hands it over: dotted-quad IPv4 or IPv6
 * (optionally with a zone id, as link-local results carry). Loose IPv4 forms ("127.1", "0x7f.1")
 * are rejected here: the WHATWG URL parser has already normalised them in URLs, and a resolver
 * that returns one is misbehaving.
 */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  throw new TypeError(`not an IP address: ${JSON.stringify(text)}`);
}

function lookupRange(address: ipaddr.IPv4 | ipaddr.IPv6, ranges: readonly Range[]): AddressClass | undefined {
  for (const [network, prefix, addressClass] of ranges) {
    if (network.kind() === address.kind() && address.match(network, prefix)) return addressClass;
  }
  return undefined;
}

function classifyIPv4(address: ipaddr.IPv4): AddressClass {
  return lookupRange(address, IPV4_RANGES) ?? 'public';
}

/** The IPv4 address carried in bytes [offset, offset + 4) of an IPv6 address. */
function embeddedIPv4(address: ipaddr.IPv6, offset: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(address.toByteArray().slice(offset, offset + 4));
}

function classifyIPv6(address: ipaddr.IPv6): AddressClass {
  if (address.isIPv4MappedAddress()) return classifyIPv4(address.toIPv4Address());
  if (address.match(NAT64, NAT64_PREFIX)) return classifyIPv4(embeddedIPv4(address, 12));
  if (address.match(SIX_TO_FOUR, SIX_TO_FOUR_PREFIX)) return classifyIPv4(embeddedIPv4(address, 2));
  const listed = lookupRange(address, IPV6_RANGES);
  if (listed !== undefined) return listed;
  return address.match(GLOBAL_UNICAST, GLOBAL_UNICAST_PREFIX) ? 'public' : 'reserved';
}

/** Classifies an IPv4 or IPv6 address (without brackets). Throws TypeError for anything else. */
export function classifyAddress(ip: string): AddressClass {
  const address = parseAddress(ip);
  return address instanceof ipaddr.IPv4 ? classifyIPv4(address) : classifyIPv6(address);
}
