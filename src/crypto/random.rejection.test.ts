import type * as NodeCrypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { randomBase62 } from './random.js';

// Scripted "random" bytes, so rejection sampling can be checked exactly rather than statistically.
const scripted = vi.hoisted((): number[] => []);

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  return {
    ...actual,
    randomBytes: (size: number): Buffer => {
      if (scripted.length === 0) throw new Error('test ran out of scripted bytes');
      return Buffer.from(scripted.splice(0, size));
    },
  };
});

describe('randomBase62 rejection sampling', () => {
  beforeEach(() => {
    scripted.length = 0;
  });

  it('maps each byte below 248 onto the alphabet by value mod 62', () => {
    scripted.push(0, 61, 62, 123, 124, 247);
    expect(randomBase62(6)).toBe('0z0z0z');
  });

  it('discards bytes 248–255 instead of folding them onto the first symbols', () => {
    scripted.push(248, 249, 250, 251, 252, 253, 254, 255, 5);
    expect(randomBase62(1)).toBe('5');
  });

  it('keeps drawing when a whole batch is rejected', () => {
    scripted.push(...Array.from({ length: 64 }, () => 255), 10, 36);
    expect(randomBase62(2)).toBe('Aa');
  });
});
