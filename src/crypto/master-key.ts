import { randomBytes } from 'node:crypto';
import { hmacSha256 } from './hash.js';

export type MasterKey = { readonly id: string; readonly key: Buffer };

const MASTER_KEY_BYTES = 32;
const FORMAT_HINT =
  'master key must be 32 random bytes encoded as base64, base64url, or 64 hex characters ' +
  '(for example the output of `openssl rand -base64 32`)';

// Anchored, exact-length patterns: Buffer.from(…, 'base64') skips characters it does not
// understand, so decoding without these checks would accept typos and stray punctuation.
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}=?$/;

function decodeMasterKey(text: string): Buffer | null {
  // Hex first: 64 hex digits are also valid base64 characters, but would decode to 48 bytes.
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex');
  const encoding = BASE64_KEY.test(text) ? 'base64' : BASE64URL_KEY.test(text) ? 'base64url' : null;
  if (encoding === null) return null;
  const unpadded = text.replace(/=$/, '');
  const key = Buffer.from(unpadded, encoding);
  // The 43rd character carries two spare bits; requiring them to be zero keeps one key, one spelling.
  if (key.length !== MASTER_KEY_BYTES || key.toString(encoding).replace(/=$/, '') !== unpadded) return null;
  return key;
}

/**
 * Decodes the operator-supplied master key. Surrounding whitespace is ignored because keys
 * pasted into env files and secret mounts often carry a trailing newline. Errors describe
 * the expected format and never include the value.
 */
export function parseMasterKey(encoded: string): MasterKey {
  const key = typeof encoded === 'string' ? decodeMasterKey(encoded.trim()) : null;
  if (key === null) throw new Error(FORMAT_HINT);
  // An all-zero key is what placeholder values like "AAAA…=" or "000…0" decode to.
  if (key.every((byte) => byte === 0)) throw new Error(`${FORMAT_HINT}; an all-zero key is a placeholder, not a key`);
  return { id: masterKeyId(key), key };
}

/**
 * Stable, non-secret name for a master key, stored next to wrapped data keys so rotation can
 * tell which master key wrapped what. It is a truncated HMAC keyed by the master key itself,
 * so it reveals nothing usable about the key.
 */
export function masterKeyId(key: Buffer): string {
  if (!Buffer.isBuffer(key) || key.length !== MASTER_KEY_BYTES) {
    throw new RangeError(`master key must be a Buffer of exactly ${MASTER_KEY_BYTES} bytes`);
  }
  return `mk_${hmacSha256(key, 'portcullis master key id v1').toString('hex').slice(0, 16)}`;
}

/** A fresh master key in the base64 form parseMasterKey accepts. */
export function generateMasterKey(): string {
  return randomBytes(MASTER_KEY_BYTES).toString('base64');
}
