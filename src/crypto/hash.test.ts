import { describe, expect, it } from 'vitest';
import { constantTimeEqual, hmacSha256, sha256Hex } from './hash.js';

describe('sha256Hex', () => {
  it('matches the published test vector', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes a string and its UTF-8 bytes identically', () => {
    expect(sha256Hex('héllo')).toBe(sha256Hex(Buffer.from('héllo', 'utf8')));
  });
});

describe('hmacSha256', () => {
  it('matches RFC 4231 test case 2', () => {
    const mac = hmacSha256('Jefe', 'what do ya want for nothing?');
    expect(mac.toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('returns 32 bytes and depends on the key', () => {
    expect(hmacSha256(Buffer.alloc(32, 1), 'x')).toHaveLength(32);
    expect(hmacSha256('k1', 'x').equals(hmacSha256('k2', 'x'))).toBe(false);
  });
});

describe('constantTimeEqual', () => {
  it('is true for equal inputs', () => {
    expect(constantTimeEqual('secret-token', 'secret-token')).toBe(true);
    expect(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('compares strings by their UTF-8 bytes', () => {
    expect(constantTimeEqual('héllo', Buffer.from('héllo', 'utf8'))).toBe(true);
  });

  it('is false for unequal inputs of the same length', () => {
    expect(constantTimeEqual('secret-token', 'secret-tokeN')).toBe(false);
    expect(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4]))).toBe(false);
  });

  it('is false, without throwing, for inputs of different lengths', () => {
    expect(constantTimeEqual('secret', 'secret-token')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(1000))).toBe(false);
  });
});
