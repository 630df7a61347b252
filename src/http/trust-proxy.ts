import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import ipaddr from 'ipaddr.js';
import type { AppEnv } from './types.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type CidrRange = readonly [network: Address, prefixLength: number];

export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'cidrs'; ranges: readonly CidrRange[] };

export const UNKNOWN_CLIENT_IP = '0.0.0.0';
const MAX_HOPS = 10;
// Wider than this is not "my proxies" but "a large part of the internet", which would let
// anyone choose their own client IP. fc00::/7 (unique local) is the widest legitimate case.
const MIN_PREFIX = { ipv4: 8, ipv6: 7 } as const;

// Same shorthands as Express, so operators can write e.g. `loopback,uniquelocal`.
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};
const TRUST_EVERYTHING = new Set(['true', '*', 'all', 'yes', 'on']);
const TRUST_NOTHING = new Set(['', 'none', 'false']);

/**
 * Parses the trust-proxy setting: unset/"none" (the default: X-Forwarded-For is ignored),
 * a hop count 1..10, or a comma-separated list of IPs, CIDRs and the named ranges
 * `loopback`, `linklocal`, `uniquelocal`. Anything that would trust every address is
 * rejected, because it lets any client forge its IP.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim();
  const lowered = text.toLowerCase();
  if (TRUST_NOTHING.has(lowered)) return { kind: 'none' };
  if (TRUST_EVERYTHING.has(lowered)) {
    throw new Error(
      `Invalid trust proxy setting "${text}": trusting every proxy lets any client forge its IP; ` +
        "give the number of proxy hops (1-10) or your proxies' IPs/CIDRs",
    );
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > MAX_HOPS) {
      throw new Error(`Invalid trust proxy hop count "${text}": must be 1-${MAX_HOPS} (leave unset to trust no proxy)`);
    }
    return { kind: 'hops', hops };
  }
  const ranges: CidrRange[] = [];
  for (const rawEntry of text.split(',')) {
    const entry = rawEntry.trim();
    const named = NAMED_RANGES[entry.toLowerCase()];
    if (named !== undefined) {
      for (const cidr of named) ranges.push(parseCidrEntry(cidr));
    } else {
      ranges.push(parseCidrEntry(entry));
    }
  }
  return { kind: 'cidrs', ranges };
}

function parseCidrEntry(entry: string): CidrRange {
  if (entry === '') throw new Error('Invalid trust proxy setting: empty entry in the list');
  const slash = entry.indexOf('/');
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const prefixText = slash === -1 ? undefined : entry.slice(slash + 1);
  const address = parseIp(addressText);
  if (address === null) throw new Error(`Invalid trust proxy entry "${entry}": not an IPv4/IPv6 address or CIDR`);

  const mappedFromV6 = address.kind() === 'ipv4' && addressText.includes(':');
  const width = address.kind() === 'ipv4' ? 32 : 128;
  let prefix = width;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) throw new Error(`Invalid trust proxy entry "${entry}": bad prefix length`);
    prefix = Number(prefixText);
    // An IPv4-mapped IPv6 CIDR (::ffff:a.b.c.d/104) is written against 128 bits.
    if (mappedFromV6) {
      if (prefix < 96 || prefix > 128) throw new Error(`Invalid trust proxy entry "${entry}": bad prefix length`);
      prefix -= 96;
    }
    if (prefix > width) throw new Error(`Invalid trust proxy entry "${entry}": prefix longer than ${width} bits`);
  }
  if (prefix === 0) {
    throw new Error(`Invalid trust proxy entry "${entry}": trusts every address, which lets any client forge its IP`);
  }
  if (prefix < MIN_PREFIX[address.kind()]) {
    throw new Error(`Invalid trust proxy entry "${entry}": /${prefix} is too broad (minimum /${MIN_PREFIX[address.kind()]})`);
  }
  return [address, prefix];
}

/**
 * Strict address parser. ipaddr.js on its own also accepts forms like "127.1", "0x7f.1" and
 * "2130706433"; those are never what a proxy writes and are a known source of parser
 * disagreement, so only dotted-quad IPv4 and standard IPv6 are accepted. IPv4-mapped IPv6
 * is collapsed to IPv4 so `::ffff:10.0.0.1` and `10.0.0.1` are the same client.
 */
export function parseIp(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return null;
  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

// Some proxies append the peer's port ("1.2.3.4:5678", "[2001:db8::1]:443").
function parseForwardedEntry(entry: string): Address | null {
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  if (v4WithPort?.[1] !== undefined) return parseIp(v4WithPort[1]);
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed?.[1] !== undefined) return parseIp(bracketed[1]);
  return parseIp(entry);
}

function isTrusted(address: Address | null, position: number, trust: TrustProxy): boolean {
  switch (trust.kind) {
    case 'none':
      return false;
    case 'hops':
      return position < trust.hops;
    case 'cidrs':
      return (
        address !== null && trust.ranges.some(([network, prefix]) => network.kind() === address.kind() && address.match(network, prefix))
      );
  }
}

/**
 * The client address as seen through the trusted proxies. The chain is walked from the
 * peer that connected to us towards the original client (right to left in
 * X-Forwarded-For); every hop we trust vouches for the next address to its left, and the
 * first address we do not trust is the client. Entries left of that are client-supplied
 * and never read. An unparseable entry ends the walk at the last address that was vouched for.
 */
export function resolveClientIp(remoteAddress: string, forwardedFor: string | undefined, trust: TrustProxy): string {
  const remote = parseIp(remoteAddress);
  let current = remote;
  let currentText = remote?.toString() ?? UNKNOWN_CLIENT_IP;
  if (trust.kind === 'none' || forwardedFor === undefined) return currentText;

  const chain = forwardedFor.split(',');
  for (let position = 0; isTrusted(current, position, trust); position++) {
    const entry = chain[chain.length - 1 - position];
    if (entry === undefined) break;
    const next = parseForwardedEntry(entry.trim());
    if (next === null) break;
    current = next;
    currentText = next.toString();
  }
  return currentText;
}

/** Sets `clientIp`. Without a socket (e.g. `app.request` in tests) the peer is UNKNOWN_CLIENT_IP. */
export function clientIpMiddleware(trust: TrustProxy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('clientIp', resolveClientIp(peerAddress(c) ?? UNKNOWN_CLIENT_IP, c.req.header('x-forwarded-for'), trust));
    await next();
  };
}

function peerAddress(c: Parameters<typeof getConnInfo>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // getConnInfo dereferences the Node bindings, which do not exist outside a real server.
    return undefined;
  }
}
