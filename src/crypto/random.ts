import { randomBytes } from 'node:crypto';
import { assertPositiveInteger } from './assert-count.js';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// 248 = 4 × 62 is the largest multiple of 62 a byte can hold. Bytes below it map onto the
// alphabet exactly four times each; bytes 248–255 are discarded, because folding them in
// with a plain `% 62` would make the first eight symbols slightly more likely.
const UNBIASED_BYTE_LIMIT = 248;

/** Uniformly random string over [0-9A-Za-z], from the OS CSPRNG. */
export function randomBase62(length: number): string {
  assertPositiveInteger(length, 'length');
  const symbols: string[] = [];
  while (symbols.length < length) {
    const missing = length - symbols.length;
    // About 1 byte in 32 is rejected; asking for a little extra makes a second round rare.
    for (const byte of randomBytes(missing + Math.ceil(missing / 16) + 4)) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      symbols.push(BASE62_ALPHABET.charAt(byte % 62));
      if (symbols.length === length) break;
    }
  }
  return symbols.join('');
}

/** `bytes` random bytes as unpadded base64url, safe in URLs, headers and cookies. */
export function randomTokenBase64Url(bytes: number): string {
  assertPositiveInteger(bytes, 'bytes');
  return randomBytes(bytes).toString('base64url');
}
