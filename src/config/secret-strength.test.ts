import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authSecretWeakness, estimateEntropyBits, MIN_AUTH_SECRET_BITS, MIN_AUTH_SECRET_LENGTH } from './secret-strength.js';

describe('estimateEntropyBits', () => {
  it('is zero for empty and single-character strings', () => {
    expect(estimateEntropyBits('')).toBe(0);
    expect(estimateEntropyBits('a')).toBe(0);
    expect(estimateEntropyBits('aaaaaaaa')).toBe(0);
  });

  it('is length times the Shannon entropy of the character distribution', () => {
    expect(estimateEntropyBits('ab'.repeat(16))).toBeCloseTo(32); // 1 bit per character
    expect(estimateEntropyBits('0123456789abcdef'.repeat(2))).toBeCloseTo(128); // 4 bits per character
    expect(estimateEntropyBits('aab')).toBeCloseTo(3 * (-(2 / 3) * Math.log2(2 / 3) - (1 / 3) * Math.log2(1 / 3)));
  });

  it('counts characters, not UTF-16 code units', () => {
    expect(estimateEntropyBits('😀😀😀😀')).toBe(0);
    expect(estimateEntropyBits('😀😁'.repeat(8))).toBeCloseTo(16); // 16 characters, 1 bit each
  });
});

describe('authSecretWeakness', () => {
  it('accepts random secrets of 32 characters and more', () => {
    // Fixed 32-character values, so this test cannot flake (see the note on random hex below).
    for (const value of ['Xk3p9Qz7LmN2vB8wR4tY6uJ1hG5fD0sA', 'f3a9c2e81b7d4065af12c9e8b3d70a5e', 'q-8Zt_3mWv9Kx2Rn7Ls4Jp0Hb6Gd1Fc5'])
      expect(authSecretWeakness(value)).toBeUndefined();
    for (let i = 0; i < 50; i++) {
      expect(authSecretWeakness(randomBytes(48).toString('base64'))).toBeUndefined(); // openssl rand -base64 48
      expect(authSecretWeakness(randomBytes(48).toString('base64url'))).toBeUndefined();
      expect(authSecretWeakness(randomBytes(32).toString('base64'))).toBeUndefined(); // 44 characters
      expect(authSecretWeakness(randomBytes(32).toString('hex'))).toBeUndefined(); // 64 characters
    }
  });

  it('refuses secrets shorter than 32 characters, however random', () => {
    expect(MIN_AUTH_SECRET_LENGTH).toBe(32);
    expect(authSecretWeakness(randomBytes(48).toString('base64').slice(0, 31))).toBe('shorter than 32 characters');
    expect(authSecretWeakness('')).toBe('shorter than 32 characters');
  });

  const weak: { name: string; value: string; reason: RegExp }[] = [
    { name: 'changeme repeated', value: 'changeme'.repeat(4), reason: /variety/ },
    { name: 'change-me repeated', value: 'change-me-'.repeat(4), reason: /variety|placeholder/ },
    { name: 'one character repeated', value: 'a'.repeat(64), reason: /variety/ },
    { name: 'two characters alternating', value: 'ab'.repeat(32), reason: /variety/ },
    { name: 'a short cycle', value: 'abc'.repeat(12), reason: /variety/ },
    { name: 'eight characters repeated', value: 'abcdefgh'.repeat(4), reason: /variety/ },
    { name: 'digits only, repeated', value: '12345'.repeat(8), reason: /variety/ },
    { name: 'secret repeated', value: 'secret'.repeat(6), reason: /variety/ },
    { name: 'password and digits', value: 'password1234567890password1234567890', reason: /placeholder word/ },
    { name: 'a placeholder sentence', value: 'my-portcullis-dev-secret-key-2024', reason: /variety|placeholder/ },
    { name: 'changeme with some padding', value: 'CHANGEME_please_change_this_value', reason: /variety|placeholder/ },
    { name: 'the docs example', value: 'example-example-example-example-example', reason: /variety|placeholder/ },
  ];

  it.each(weak)('refuses $name', ({ value, reason }) => {
    expect(value.length).toBeGreaterThanOrEqual(MIN_AUTH_SECRET_LENGTH);
    expect(authSecretWeakness(value)).toMatch(reason);
  });

  it('does not echo the secret in the reason', () => {
    const value = 'changeme'.repeat(4);
    expect(authSecretWeakness(value)).not.toContain(value);
    expect(authSecretWeakness(value)).not.toContain('changemechangeme');
  });

  it('keeps its threshold where a 32-character hex secret usually clears it', () => {
    // 32 hex characters carry 128 real bits; the empirical estimate averages ~116 bits.
    expect(MIN_AUTH_SECRET_BITS).toBeLessThan(116);
  });
});
