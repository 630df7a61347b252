/**
 * SSRF policy for provider base URLs. Tenants can point a provider key at any base URL, so the
 * gateway must never become a proxy into its own network: cloud metadata, link-local, multicast,
 * reserved and unspecified addresses are always refused; private and loopback addresses only when
 * the operator allows them (ALLOW_PRIVATE_PROVIDER_URLS, for local models).
 *
 * Checking the URL is not enough on its own: a DNS name can resolve to anything, and to something
 * else a second later (rebinding). validateProviderBaseUrl checks what can be known from the URL
 * (scheme, credentials, IP literals, well-known names); guarded-lookup.ts checks every address a
 * name resolves to at connect time, which is the check that cannot be raced.
 */
import ipaddr from 'ipaddr.js';
import { classifyAddress, type AddressClass } from './address-class.js';

export { classifyAddress, type AddressClass } from './address-class.js';

export type SsrfPolicy = { allowPrivate: boolean };

/**
 * The message names the host and the reason, never the full URL (some providers take the API key
 * in the query string) and never the address a name resolved to (that would let a tenant map the
 * gateway's internal DNS); `resolvedAddress` carries it for operators' logs.
 */
export class UnsafeUpstreamUrlError extends Error {
  constructor(
    readonly host: string,
    readonly reason: string,
    readonly addressClass?: AddressClass,
    readonly resolvedAddress?: string,
  ) {
    super(`Refused provider URL host ${host}: ${reason}`);
    this.name = 'UnsafeUpstreamUrlError';
  }
}

const REASONS: Readonly<Record<Exclude<AddressClass, 'public'>, string>> = {
  metadata: 'a cloud metadata endpoint',
  'link-local': 'a link-local address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast or broadcast address',
  reserved: 'a reserved or non-routable address',
  private: 'a private network address (allowed only when the gateway permits private provider URLs)',
  loopback: 'a loopback address (allowed only when the gateway permits private provider URLs)',
};

// Names that reach an instance metadata service without DNS telling us so up front. The guarded
// lookup would refuse them anyway once they resolve to 169.254.169.254; refusing the name too
// gives a clear error at configuration time. Subdomains are included.
const METADATA_NAMES = [
  'metadata.google.internal',
  'metadata.goog',
  'metadata', // resolves through the GCE search domain
  'instance-data', // AWS
  'instance-data.ec2.internal',
] as const;

/** Why an address of this class is refused under the policy, or undefined when it is allowed. */
export function refusalReason(addressClass: AddressClass, policy: SsrfPolicy): string | undefined {
  if (addressClass === 'public') return undefined;
  if ((addressClass === 'private' || addressClass === 'loopback') && policy.allowPrivate) return undefined;
  return REASONS[addressClass];
}

/** The IP inside a URL hostname or connector hostname (`[::1]` or `::1`), or undefined for a name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare) || ipaddr.IPv6.isValid(bare)) return bare;
  return undefined;
}

/**
 * What can be known from the hostname alone: the class of an IP literal, or of a name reserved
 * for loopback (RFC 6761 `localhost`) or metadata. Undefined for an ordinary DNS name, which is
 * only judged by what it resolves to.
 */
export function classifyHostname(hostname: string): AddressClass | undefined {
  const literal = ipLiteral(hostname);
  if (literal !== undefined) return classifyAddress(literal);
  // A trailing dot (fully qualified form) names the same host.
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  if (name === '') return 'reserved';
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (METADATA_NAMES.some((metadata) => name === metadata || name.endsWith(`.${metadata}`))) return 'metadata';
  return undefined;
}

/** Throws UnsafeUpstreamUrlError when the hostname alone is enough to refuse it. */
export function assertHostnameAllowed(hostname: string, policy: SsrfPolicy): void {
  const addressClass = classifyHostname(hostname);
  if (addressClass === undefined) return;
  const reason = refusalReason(addressClass, policy);
  if (reason !== undefined) throw new UnsafeUpstreamUrlError(hostname, `is ${reason}`, addressClass);
}

/** The refusal when `hostname` resolved (or connected) to a forbidden address; undefined when allowed. */
export function checkResolvedAddress(hostname: string, address: string, policy: SsrfPolicy): UnsafeUpstreamUrlError | undefined {
  let addressClass: AddressClass;
  try {
    addressClass = classifyAddress(address);
  } catch {
    return new UnsafeUpstreamUrlError(hostname, 'resolves to something that is not an IP address', undefined, address);
  }
  const reason = refusalReason(addressClass, policy);
  return reason === undefined ? undefined : new UnsafeUpstreamUrlError(hostname, `resolves to ${reason}`, addressClass, address);
}

export function assertResolvedAddressAllowed(hostname: string, address: string, policy: SsrfPolicy): void {
  const refusal = checkResolvedAddress(hostname, address, policy);
  if (refusal !== undefined) throw refusal;
}

// The WHATWG parser silently drops tabs and newlines and trims spaces and control characters, so
// "what it looks like" and "where it goes" could differ; such input is refused instead.
function hasControlOrSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Parses and checks a provider URL (a base URL or a full request URL built from one). Returns the
 * parsed URL: callers must connect using this object, not by re-parsing the string, so that the
 * URL that was checked is the URL that is used.
 */
export function validateProviderBaseUrl(url: string, policy: SsrfPolicy): URL {
  if (hasControlOrSpace(url)) throw new UnsafeUpstreamUrlError('(invalid URL)', 'the URL contains whitespace or control characters');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnsafeUpstreamUrlError('(invalid URL)', 'not a valid absolute URL');
  }
  const host = parsed.hostname === '' ? '(none)' : parsed.hostname;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UnsafeUpstreamUrlError(host, `scheme ${parsed.protocol} is not allowed (http or https only)`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Credentials belong in the provider key; in the URL they would end up in logs.
    throw new UnsafeUpstreamUrlError(host, 'credentials in the URL are not allowed');
  }
  // `hash` is '' for a bare trailing '#', but the serialisation keeps it; '#' cannot appear
  // anywhere else in a serialised URL.
  if (parsed.href.includes('#')) throw new UnsafeUpstreamUrlError(host, 'a fragment is not allowed');
  assertHostnameAllowed(parsed.hostname, policy);
  // Prompts and provider keys cross the internet only encrypted. Plain http is for local models
  // (vLLM, Ollama), which is what allowing private provider URLs is for.
  if (parsed.protocol === 'http:' && !policy.allowPrivate)
    throw new UnsafeUpstreamUrlError(host, 'plain http is allowed only when private provider URLs are permitted; use https');
  return parsed;
}
