import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT_VERSION = 0x01;
const KEY_BYTES = 32;
// 96-bit IVs are GCM's native size; random ones stay safe for well over 2^32 messages per key.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;

/**
 * One error for every way opening can fail, so callers (and attackers probing them)
 * cannot tell a wrong key from a wrong context from a flipped bit.
 */
export class DecryptionError extends Error {
  constructor() {
    super('ciphertext could not be decrypted (wrong key, wrong context, or tampered)');
    this.name = 'DecryptionError';
  }
}

function assertAesKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new RangeError(`AES-256-GCM key must be a Buffer of exactly ${KEY_BYTES} bytes`);
  }
}

/** Encrypts and authenticates `plaintext`, binding it to `aad`: [0x01][IV 12][ciphertext][tag 16]. */
export function sealAesGcm(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  assertAesKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_VERSION), iv, ciphertext, cipher.getAuthTag()]);
}

/** Reverses sealAesGcm; throws DecryptionError unless key, aad and every byte match. */
export function openAesGcm(key: Buffer, packed: Buffer, aad: Buffer): Buffer {
  assertAesKey(key);
  if (!Buffer.isBuffer(packed) || packed.length < HEADER_BYTES + TAG_BYTES || packed[0] !== FORMAT_VERSION) {
    throw new DecryptionError();
  }
  const iv = packed.subarray(1, HEADER_BYTES);
  const ciphertext = packed.subarray(HEADER_BYTES, packed.length - TAG_BYTES);
  const tag = packed.subarray(packed.length - TAG_BYTES);
  try {
    // authTagLength pins the tag to 16 bytes; without it Node accepts truncated tags.
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // The underlying OpenSSL message adds nothing and is not part of our contract.
    throw new DecryptionError();
  }
}
