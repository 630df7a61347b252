import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: Buffer | string, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

// Fresh per process: the digests below are only ever compared with each other and never
// leave memory, so a secret key stops anyone from choosing inputs with colliding digests.
const COMPARISON_KEY = randomBytes(32);

/**
 * Compares two values without revealing, through timing, where they first differ or
 * whether their lengths match: both sides are reduced to fixed-size HMACs first, and
 * timingSafeEqual (which rejects unequal lengths) only ever sees 32-byte buffers.
 * Strings are compared by their UTF-8 bytes, so "abc" equals Buffer.from("abc").
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(hmacSha256(COMPARISON_KEY, a), hmacSha256(COMPARISON_KEY, b));
}
