/**
 * IP allowlists of API keys: addresses and CIDR ranges, validated strictly and stored in one
 * canonical form (`address/prefix`, IPv6 compressed per RFC 5952) so the gateway's matcher and a
 * human reading the list see the same thing.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

export const MAX_IP_ALLOWLIST_ENTRIES = 100;

type Parsed = { ok: true; cidr: string } | { ok: false; reason: string };

/**
 * Refused: anything but dotted-quad IPv4 (`10.1`, `0x0a.0.0.1` and octal forms mean different
 * addresses to different parsers), IPv6 zone ids, prefix 0 (an allowlist of "everything" only
 * looks like a restriction: leave the list null instead), and bits set past the prefix
 * (`10.1.2.3/8` is usually a typo for a narrower range).
 */
export function parseAllowlistEntry(entry: string): Parsed {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(addressText)) {
    address = ipaddr.IPv4.parse(addressText);
  } else if (!addressText.includes('%') && ipaddr.IPv6.isValid(addressText)) {
    address = ipaddr.IPv6.parse(addressText);
  } else {
    return { ok: false, reason: 'must be an IPv4 or IPv6 address or CIDR range' };
  }
  const width = address.kind() === 'ipv4' ? 32 : 128;
  let prefix = width;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width) return { ok: false, reason: 'has an invalid prefix length' };
    prefix = Number(prefixText);
  }
  // Clients on a dual-stack socket may appear as ::ffff:a.b.c.d; store such ranges as IPv4.
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && prefix >= 96) {
    address = address.toIPv4Address();
    prefix -= 96;
  }
  if (prefix === 0) return { ok: false, reason: 'allows every address; leave ipAllowlist null to allow all' };
  const canonical = address instanceof ipaddr.IPv4 ? address.toString() : address.toRFC5952String();
  const network =
    address instanceof ipaddr.IPv4
      ? ipaddr.IPv4.networkAddressFromCIDR(`${canonical}/${prefix}`).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(`${canonical}/${prefix}`).toRFC5952String();
  if (network !== canonical) return { ok: false, reason: 'has bits set beyond its prefix length; give the network address' };
  return { ok: true, cidr: `${canonical}/${prefix}` };
}

/**
 * `null` = any address. The messages name the problem, never the entry: validation errors are
 * returned to the client and this field is input like any other.
 */
export const ipAllowlistSchema = z
  .array(z.string().max(64))
  .min(1)
  .max(MAX_IP_ALLOWLIST_ENTRIES)
  .transform((entries, ctx) => {
    const out: string[] = [];
    entries.forEach((entry, index) => {
      const parsed = parseAllowlistEntry(entry);
      if (parsed.ok) {
        if (!out.includes(parsed.cidr)) out.push(parsed.cidr);
      } else {
        ctx.addIssue({ code: 'custom', path: [index], message: parsed.reason });
      }
    });
    return out;
  })
  .nullable()
  .meta({ description: 'Addresses or CIDR ranges requests must come from (stored as `address/prefix`); null = any address.' });
