import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET, randomBase62, randomTokenBase64Url } from './random.js';

describe('randomBase62', () => {
  it('returns exactly the requested number of base62 characters', () => {
    for (const length of [1, 12, 43, 1000]) {
      expect(randomBase62(length)).toMatch(new RegExp(`^[0-9A-Za-z]{${length}}$`));
    }
  });

  it('does not repeat', () => {
    const samples = new Set(Array.from({ length: 1000 }, () => randomBase62(22)));
    expect(samples.size).toBe(1000);
  });

  it('uses every symbol roughly equally often', () => {
    const expected = 1000;
    const sample = randomBase62(BASE62_ALPHABET.length * expected);
    const counts = new Map<string, number>();
    for (const symbol of sample) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);

    expect(counts.size).toBe(62);
    let chiSquare = 0;
    for (const symbol of BASE62_ALPHABET) {
      const count = counts.get(symbol) ?? 0;
      // ±40% is ~13 standard deviations: a correct generator never trips it, a broken one does.
      expect(count).toBeGreaterThan(expected * 0.6);
      expect(count).toBeLessThan(expected * 1.4);
      chiSquare += (count - expected) ** 2 / expected;
    }
    // 61 degrees of freedom: mean 61; exceeding 200 has probability far below 1e-12.
    expect(chiSquare).toBeLessThan(200);
  });

  it('rejects lengths that are not positive integers', () => {
    for (const length of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => randomBase62(length)).toThrow(RangeError);
    }
  });
});

describe('randomTokenBase64Url', () => {
  it('encodes the requested number of bytes as unpadded base64url', () => {
    const token = randomTokenBase64Url(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('does not repeat', () => {
    expect(randomTokenBase64Url(16)).not.toBe(randomTokenBase64Url(16));
  });

  it('rejects byte counts that are not positive integers', () => {
    for (const bytes of [0, -4, 2.5, Number.NaN]) {
      expect(() => randomTokenBase64Url(bytes)).toThrow(RangeError);
    }
  });
});
