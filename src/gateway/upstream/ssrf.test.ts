import { describe, expect, it } from 'vitest';
import { classifyAddress, UnsafeUpstreamUrlError, validateProviderBaseUrl, type AddressClass } from './ssrf.js';

const STRICT = { allowPrivate: false };
const LENIENT = { allowPrivate: true };

function refusal(url: string, policy: { allowPrivate: boolean }): UnsafeUpstreamUrlError | undefined {
  try {
    validateProviderBaseUrl(url, policy);
    return undefined;
  } catch (error) {
    if (error instanceof UnsafeUpstreamUrlError) return error;
    throw error;
  }
}

// [URL, class of what the host names]. 'public' for a DNS name means "judged at connect time".
const ADDRESS_CASES: readonly (readonly [string, AddressClass])[] = [
  // IPv4
  ['https://api.openai.com/v1', 'public'],
  ['https://my-resource.openai.azure.com/openai/deployments/x?api-version=2024-10-21', 'public'],
  ['http://8.8.8.8/', 'public'],
  ['http://1.1.1.1:8080/v1', 'public'],
  ['http://172.32.0.1/', 'public'],
  ['http://100.128.0.1/', 'public'],
  ['http://10.0.0.1/', 'private'],
  ['http://10.255.255.255/', 'private'],
  ['http://172.16.0.1/', 'private'],
  ['http://172.31.255.254/', 'private'],
  ['http://192.168.1.1/', 'private'],
  ['http://100.64.0.1/', 'private'],
  ['http://100.127.255.255/', 'private'],
  ['http://127.0.0.1:11434/', 'loopback'],
  ['http://127.1.2.3/', 'loopback'],
  ['http://2130706433/', 'loopback'], // decimal form, normalised by the URL parser
  ['http://0x7f.1/', 'loopback'], // hex short form
  ['http://017700000001/', 'loopback'], // octal
  ['http://127.0.0.1./', 'loopback'],
  ['http://169.254.169.254/latest/meta-data/', 'metadata'],
  ['http://169.254.170.2/v2/credentials', 'metadata'],
  ['http://100.100.100.200/latest/meta-data', 'metadata'],
  ['http://168.63.129.16/machine', 'metadata'],
  ['http://0xa9fea9fe/', 'metadata'],
  ['http://169.254.1.1/', 'link-local'],
  ['http://0.0.0.0:8080/', 'unspecified'],
  ['http://0/', 'unspecified'],
  ['http://0.1.2.3/', 'unspecified'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://239.255.255.250/', 'multicast'],
  ['http://255.255.255.255/', 'reserved'], // limited broadcast
  ['http://240.0.0.1/', 'reserved'],
  ['http://192.0.2.1/', 'reserved'],
  ['http://198.18.0.1/', 'reserved'],
  // IPv6
  ['http://[2606:4700:4700::1111]/', 'public'],
  ['http://[::1]:8000/', 'loopback'],
  ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ['http://[::]/', 'unspecified'],
  ['http://[fe80::1]/', 'link-local'],
  ['http://[febf::1]/', 'link-local'],
  ['http://[fc00::1]/', 'private'],
  ['http://[fd12:3456::1]/', 'private'],
  ['http://[fd00:ec2::254]/latest/meta-data/', 'metadata'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://[2001:db8::1]/', 'reserved'],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'reserved'], // Teredo
  ['http://[::127.0.0.1]/', 'reserved'], // IPv4-compatible (deprecated)
  ['http://[fec0::1]/', 'reserved'], // site-local (deprecated)
  ['http://[100::1]/', 'reserved'], // discard-only
  ['http://[64:ff9b:1::a9fe:a9fe]/', 'reserved'], // local-use NAT64
  // IPv4 embedded in IPv6
  ['http://[::ffff:127.0.0.1]/', 'loopback'],
  ['http://[::ffff:169.254.169.254]/', 'metadata'],
  ['http://[::ffff:a9fe:a9fe]/', 'metadata'],
  ['http://[::ffff:10.1.2.3]/', 'private'],
  ['http://[::ffff:8.8.8.8]/', 'public'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'metadata'], // NAT64
  ['http://[64:ff9b::127.0.0.1]/', 'loopback'],
  ['http://[64:ff9b::8.8.8.8]/', 'public'], // DNS64 answer for a public provider
  ['http://[2002:a9fe:a9fe::1]/', 'metadata'], // 6to4
  ['http://[2002:a00:1::]/', 'private'],
  ['http://[2002:808:808::1]/', 'public'],
  // Names
  ['http://localhost:8080/', 'loopback'],
  ['http://LOCALHOST./', 'loopback'],
  ['http://api.localhost/', 'loopback'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'metadata'],
  ['http://metadata.google.internal./', 'metadata'],
  ['http://METADATA.GOOG/', 'metadata'],
  ['http://metadata/', 'metadata'],
  ['http://instance-data.ec2.internal/', 'metadata'],
  ['http://ollama:11434/', 'public'],
];

describe('validateProviderBaseUrl: addresses and names', () => {
  it.each(ADDRESS_CASES)('%s is %s', (url, expected) => {
    const strict = refusal(url, STRICT);
    const lenient = refusal(url, LENIENT);
    if (expected === 'public') {
      // Allowed as an address; under the strict policy only over https.
      if (url.startsWith('https:')) expect(strict).toBeUndefined();
      else expect(strict?.reason).toMatch(/plain http/);
      expect(lenient).toBeUndefined();
      return;
    }
    expect(strict?.addressClass).toBe(expected);
    if (expected === 'private' || expected === 'loopback') {
      expect(lenient).toBeUndefined();
    } else {
      expect(lenient?.addressClass).toBe(expected);
    }
  });

  it('allows plain http only with private provider URLs allowed: prompts and keys cross the internet encrypted', () => {
    expect(refusal('http://api.openai.com/v1', STRICT)?.message).toBe(
      'Refused provider URL host api.openai.com: plain http is allowed only when private provider URLs are permitted; use https',
    );
    expect(refusal('https://api.openai.com/v1', STRICT)).toBeUndefined();
    expect(refusal('http://vllm.internal:8000/v1', LENIENT)).toBeUndefined();
    // An address refused anyway says why: the address, not the scheme.
    expect(refusal('http://127.0.0.1:8000/v1', STRICT)?.addressClass).toBe('loopback');
  });

  it('returns the parsed URL, normalised, for the connection to use', () => {
    const url = validateProviderBaseUrl('HTTPS://API.Example.COM:8443/v1/chat?x=1', STRICT);
    expect(url.hostname).toBe('api.example.com');
    expect(url.port).toBe('8443');
    expect(url.pathname + url.search).toBe('/v1/chat?x=1');
  });

  it('names the host and the reason, and never echoes the rest of the URL', () => {
    const error = refusal('http://169.254.169.254/latest?key=sk-secret-123', LENIENT);
    expect(error).toBeInstanceOf(UnsafeUpstreamUrlError);
    expect(error?.host).toBe('169.254.169.254');
    expect(error?.message).toContain('169.254.169.254');
    expect(error?.message).toContain('metadata');
    expect(error?.message).not.toContain('sk-secret');
    expect(refusal('http://10.0.0.1/', STRICT)?.message).toMatch(/10\.0\.0\.1: is a private network address/);
  });
});

describe('validateProviderBaseUrl: URL shape', () => {
  const REFUSED: readonly (readonly [string, RegExp])[] = [
    ['ftp://example.com/', /scheme ftp: is not allowed/],
    ['file:///etc/passwd', /scheme file: is not allowed/],
    ['gopher://example.com:25/', /scheme gopher: is not allowed/],
    ['ws://example.com/', /scheme ws: is not allowed/],
    ['http://user:pass@example.com/', /credentials/],
    ['http://user@example.com/', /credentials/],
    ['http://:pass@example.com/', /credentials/],
    ['https://example.com/v1#section', /fragment/],
    ['https://example.com/v1#', /fragment/],
    ['not a url', /whitespace|not a valid/],
    ['/v1/chat/completions', /not a valid absolute URL/],
    [' https://example.com/', /whitespace/],
    ['https://example.com/\n', /whitespace/],
    ['https://exam\tple.com/', /whitespace/],
    ['http://[fe80::1%25eth0]/', /not a valid absolute URL/],
  ];
  it.each(REFUSED)('refuses %j under either policy', (url, reason) => {
    for (const policy of [STRICT, LENIENT]) {
      const error = refusal(url, policy);
      expect(error).toBeInstanceOf(UnsafeUpstreamUrlError);
      expect(error?.message).toMatch(reason);
    }
  });

  it('names the host when the URL parses', () => {
    expect(refusal('http://user:hunter2@api.example.com/', STRICT)?.message).toBe(
      'Refused provider URL host api.example.com: credentials in the URL are not allowed',
    );
    expect(refusal('http://user:hunter2@api.example.com/', STRICT)?.message).not.toContain('hunter2');
  });
});

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700::1', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fd00:ec2::253', 'private'],
    ['64:ff9b::100.100.100.200', 'metadata'],
    ['2002:6464:64c8::', 'metadata'],
    ['100.64.0.0', 'private'],
    ['255.255.255.255', 'reserved'],
    ['ff05::2', 'multicast'],
    ['4000::1', 'reserved'], // outside global unicast 2000::/3
  ] as const)('%s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each(['127.1', '0x7f.0.0.1', '2130706433', 'localhost', '[::1]', '', '1.2.3.4.5', '::ffff:127.1'])(
    'rejects %j as not an address',
    (text) => {
      expect(() => classifyAddress(text)).toThrow(TypeError);
    },
  );
});
