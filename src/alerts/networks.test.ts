import { describe, expect, it } from 'vitest';
import { networkOf } from './networks.js';

describe('networkOf', () => {
  it('groups IPv4 by /24, IPv6 by /48, mapped IPv4 as IPv4', () => {
    expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('::ffff:203.0.113.9')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('not an address')).toBeUndefined();
  });
});
