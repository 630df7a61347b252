/**
 * A `dns.lookup`-compatible function for the upstream connector. It resolves the name itself and
 * refuses the connection when ANY resolved address is forbidden, so the address that is checked
 * is the address that is connected to: DNS rebinding (public at validation, 169.254.169.254 at
 * connect) cannot slip between the two. Refusing on any bad address, rather than filtering it
 * out, is deliberate: a name that mixes public and internal addresses is an attack or a
 * misconfiguration, and Happy Eyeballs would otherwise try the addresses in turn.
 *
 * Node skips `lookup` for IP literals; those are checked by validateProviderBaseUrl and again by
 * the connector (connector.ts).
 */
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { assertHostnameAllowed, assertResolvedAddressAllowed, type SsrfPolicy } from './ssrf.js';

/** Resolves a name to every address it has (like `dns.lookup` with `all: true`). Injectable for tests. */
export type Resolver = (hostname: string, options: { family: 0 | 4 | 6; hints?: number }) => Promise<readonly LookupAddress[]>;

const systemResolver: Resolver = (hostname, { family, hints }) => dns.promises.lookup(hostname, { all: true, family, hints });

function familyOf(option: LookupOptions['family']): 0 | 4 | 6 {
  if (option === 4 || option === 'IPv4') return 4;
  if (option === 6 || option === 'IPv6') return 6;
  return 0;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  error.code = 'ENOTFOUND';
  return error;
}

/** Resolves and checks; the returned addresses are all allowed, with their family recomputed from the address itself. */
export async function resolveAllowed(
  hostname: string,
  options: { family: 0 | 4 | 6; hints?: number },
  policy: SsrfPolicy,
  resolve: Resolver = systemResolver,
): Promise<LookupAddress[]> {
  // `localhost`, metadata names: refuse before asking DNS anything.
  assertHostnameAllowed(hostname, policy);
  const resolved = await resolve(hostname, options);
  if (resolved.length === 0) throw notFound(hostname);
  return resolved.map(({ address }) => {
    assertResolvedAddressAllowed(hostname, address, policy);
    // Trust the address, not the resolver's family field: net.connect uses the family to pick the socket type.
    return { address, family: isIP(address) };
  });
}

export function createGuardedLookup(policy: SsrfPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    void resolveAllowed(hostname, { family: familyOf(options.family), hints: options.hints }, policy, resolve).then(
      (addresses) => {
        // resolveAllowed never returns an empty list.
        const [first] = addresses as [LookupAddress, ...LookupAddress[]];
        if (options.all === true) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), []);
      },
    );
  };
}
