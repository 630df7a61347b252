import { describe, expect, it } from 'vitest';
import { detectIps, isIpv6 } from './ip.js';

const spans = (text: string) => detectIps(text).map((f) => text.slice(f.start, f.end));

describe('detectIps', () => {
  it('finds IPv4 addresses', () => {
    expect(spans('address 41.173.96.26 blocked, ip=10.0.0.1:8080 and |106.31.73.20| and 255.255.255.255.')).toEqual([
      '41.173.96.26',
      '10.0.0.1',
      '106.31.73.20',
      '255.255.255.255',
    ]);
  });

  it('reads a dotted quad named as a version as a version, not an address', () => {
    for (const text of ['version 1.2.3.4', 'firmware version 10.2.0.1', 'Release: 4.2.0.11', 'build #5.1.0.12', 'v1.2.3.4', 'ver. 2.0.0.1'])
      expect(spans(text), text).toEqual([]);
    // an address after other words, or a version word further back, is still one
    expect(spans('version 2 of the config points at 10.2.0.1')).toEqual(['10.2.0.1']);
    expect(spans('server 10.2.0.1, v2')).toEqual(['10.2.0.1']);
  });

  it('rejects invalid octets and longer dotted runs', () => {
    expect(spans('999.1.1.1 and 1.2.3.256 and 1.2.3.4.5 and 01.84.17.61 and 03.93.92.16.85 and 1.2.3')).toEqual([]);
  });

  it('finds IPv6 addresses in full, compressed and mixed forms', () => {
    expect(spans('from 6e40:4041:c617:e898:c11:40d2:c669:2eb4 and fe80::1%eth0 and ::ffff:192.0.2.1 and 2001:db8::8a2e:370:7334')).toEqual([
      '6e40:4041:c617:e898:c11:40d2:c669:2eb4',
      'fe80::1%eth0',
      '::ffff:192.0.2.1',
      '2001:db8::8a2e:370:7334',
    ]);
  });

  it('rejects times, MAC addresses and C++ scopes', () => {
    expect(spans('at 12:30:45, mac 00:1A:2B:3C:4D:5E, std::vector, dead::beef, 1:2:3:4:5:6:7:8:9')).toEqual([]);
    expect(isIpv6('1::2::3')).toBe(false);
    expect(isIpv6('12345::1')).toBe(false);
  });
});
