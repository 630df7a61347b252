import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { createGuardedLookup, type Resolver } from './guarded-lookup.js';
import { UnsafeUpstreamUrlError } from './ssrf.js';

const STRICT = { allowPrivate: false };
const LENIENT = { allowPrivate: true };

type Outcome = { error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family: number | undefined };

function lookupOnce(lookup: LookupFunction, hostname: string, options: LookupOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    lookup(hostname, options, (error, address, family) => resolve({ error, address, family }));
  });
}

function fixedResolver(table: Readonly<Record<string, readonly string[]>>): Resolver {
  return (hostname) => Promise.resolve((table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
}

describe('createGuardedLookup', () => {
  it('refuses a name that resolves to the metadata address, without revealing the address', async () => {
    const lookup = createGuardedLookup(LENIENT, fixedResolver({ 'evil.example': ['169.254.169.254'] }));
    const { error } = await lookupOnce(lookup, 'evil.example', { all: true });
    expect(error).toBeInstanceOf(UnsafeUpstreamUrlError);
    expect(error?.message).toBe('Refused provider URL host evil.example: resolves to a cloud metadata endpoint');
    expect((error as UnsafeUpstreamUrlError).resolvedAddress).toBe('169.254.169.254');
    expect((error as UnsafeUpstreamUrlError).addressClass).toBe('metadata');
  });

  it('refuses when any one of several addresses is forbidden', async () => {
    const resolver = fixedResolver({ 'mixed.example': ['8.8.8.8', '2606:4700::1', '10.0.0.5'] });
    const strict = await lookupOnce(createGuardedLookup(STRICT, resolver), 'mixed.example', { all: true });
    expect(strict.error).toBeInstanceOf(UnsafeUpstreamUrlError);
    expect(strict.error?.message).toMatch(/private network address/);

    const lenient = await lookupOnce(createGuardedLookup(LENIENT, resolver), 'mixed.example', { all: true });
    expect(lenient.error).toBeNull();
    expect(lenient.address).toEqual([
      { address: '8.8.8.8', family: 4 },
      { address: '2606:4700::1', family: 6 },
      { address: '10.0.0.5', family: 4 },
    ]);
  });

  it('refuses a forbidden IPv6 answer hidden behind an IPv4-mapped form', async () => {
    const lookup = createGuardedLookup(LENIENT, fixedResolver({ 'v6.example': ['2606:4700::1', '::ffff:169.254.169.254'] }));
    const { error } = await lookupOnce(lookup, 'v6.example', { all: true });
    expect((error as UnsafeUpstreamUrlError).addressClass).toBe('metadata');
  });

  it('checks at every connect, so a name that rebinds after a good answer is refused', async () => {
    const answers = [['93.184.216.34'], ['169.254.169.254']];
    let call = 0;
    const rebinding: Resolver = () => Promise.resolve((answers[call++] ?? []).map((address) => ({ address, family: 4 })));
    const lookup = createGuardedLookup(STRICT, rebinding);
    expect((await lookupOnce(lookup, 'rebind.example', {})).error).toBeNull();
    const second = await lookupOnce(lookup, 'rebind.example', {});
    expect(second.error).toBeInstanceOf(UnsafeUpstreamUrlError);
  });

  it('answers in the single-address form when `all` is not set, with the family taken from the address', async () => {
    const lying: Resolver = () => Promise.resolve([{ address: '2606:4700::1', family: 4 }]);
    const outcome = await lookupOnce(createGuardedLookup(STRICT, lying), 'api.example', {});
    expect(outcome).toEqual({ error: null, address: '2606:4700::1', family: 6 });
  });

  it('passes the requested family on to the resolver', async () => {
    const resolver = vi.fn<Resolver>(() => Promise.resolve([{ address: '8.8.8.8', family: 4 }]));
    await lookupOnce(createGuardedLookup(STRICT, resolver), 'api.example', { family: 'IPv4', hints: 32 });
    expect(resolver).toHaveBeenCalledWith('api.example', { family: 4, hints: 32 });
  });

  it('refuses reserved names before asking DNS', async () => {
    const resolver = vi.fn<Resolver>(() => Promise.resolve([{ address: '8.8.8.8', family: 4 }]));
    const lookup = createGuardedLookup(STRICT, resolver);
    expect((await lookupOnce(lookup, 'metadata.google.internal', {})).error).toBeInstanceOf(UnsafeUpstreamUrlError);
    expect((await lookupOnce(lookup, 'localhost', {})).error).toBeInstanceOf(UnsafeUpstreamUrlError);
    expect(resolver).not.toHaveBeenCalled();
  });

  it('allows loopback answers only when private addresses are allowed', async () => {
    const resolver = fixedResolver({ 'local.test': ['127.0.0.1', '::1'] });
    expect((await lookupOnce(createGuardedLookup(STRICT, resolver), 'local.test', { all: true })).error).toBeInstanceOf(
      UnsafeUpstreamUrlError,
    );
    expect((await lookupOnce(createGuardedLookup(LENIENT, resolver), 'local.test', { all: true })).error).toBeNull();
  });

  it('refuses an answer that is not an IP address', async () => {
    const lookup = createGuardedLookup(LENIENT, fixedResolver({ 'odd.example': ['127.1'] }));
    const { error } = await lookupOnce(lookup, 'odd.example', {});
    expect(error?.message).toMatch(/not an IP address/);
  });

  it('reports an empty answer as ENOTFOUND and passes resolver errors through', async () => {
    const empty = await lookupOnce(createGuardedLookup(STRICT, fixedResolver({})), 'nowhere.example', {});
    expect(empty.error?.code).toBe('ENOTFOUND');

    const failure = Object.assign(new Error('getaddrinfo EAI_AGAIN flaky.example'), { code: 'EAI_AGAIN' });
    const failing = await lookupOnce(
      createGuardedLookup(STRICT, () => Promise.reject(failure)),
      'flaky.example',
      {},
    );
    expect(failing.error).toBe(failure);
  });
});
