import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, openAesGcm, sealAesGcm } from './aead.js';

const key = randomBytes(32);
const aad = Buffer.from('context');
const plaintext = Buffer.from('sk-provider-secret-value');
const DECRYPTION_MESSAGE = 'ciphertext could not be decrypted (wrong key, wrong context, or tampered)';

function flipBit(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe('sealAesGcm / openAesGcm', () => {
  it('round-trips', () => {
    expect(openAesGcm(key, sealAesGcm(key, plaintext, aad), aad).equals(plaintext)).toBe(true);
  });

  it('round-trips an empty plaintext and an empty aad', () => {
    const empty = Buffer.alloc(0);
    expect(openAesGcm(key, sealAesGcm(key, empty, empty), empty)).toHaveLength(0);
  });

  it('packs [0x01][12-byte IV][ciphertext][16-byte tag]', () => {
    const packed = sealAesGcm(key, plaintext, aad);
    expect(packed[0]).toBe(0x01);
    expect(packed).toHaveLength(1 + 12 + plaintext.length + 16);
  });

  it('uses a fresh IV each time, so equal plaintexts give different ciphertexts', () => {
    const sealed = Array.from({ length: 50 }, () => sealAesGcm(key, plaintext, aad));
    expect(new Set(sealed.map((s) => s.subarray(1, 13).toString('hex'))).size).toBe(50);
    expect(new Set(sealed.map((s) => s.toString('hex'))).size).toBe(50);
  });

  it('rejects a change to any single byte, including version, IV and tag', () => {
    const packed = sealAesGcm(key, plaintext, aad);
    for (let i = 0; i < packed.length; i++) {
      expect(() => openAesGcm(key, flipBit(packed, i), aad), `byte ${i}`).toThrow(DecryptionError);
    }
  });

  it('rejects truncated and extended input', () => {
    const packed = sealAesGcm(key, plaintext, aad);
    for (const length of [0, 1, 13, 28, packed.length - 1]) {
      expect(() => openAesGcm(key, packed.subarray(0, length), aad)).toThrow(DecryptionError);
    }
    expect(() => openAesGcm(key, Buffer.concat([packed, Buffer.of(0)]), aad)).toThrow(DecryptionError);
  });

  it('rejects the wrong key', () => {
    const packed = sealAesGcm(key, plaintext, aad);
    expect(() => openAesGcm(randomBytes(32), packed, aad)).toThrow(DecryptionError);
  });

  it('rejects the wrong associated data', () => {
    const packed = sealAesGcm(key, plaintext, aad);
    expect(() => openAesGcm(key, packed, Buffer.from('contexT'))).toThrow(DecryptionError);
    expect(() => openAesGcm(key, packed, Buffer.alloc(0))).toThrow(DecryptionError);
  });

  it('says what failed without revealing key, plaintext or ciphertext', () => {
    const packed = sealAesGcm(key, plaintext, aad);
    let caught: unknown;
    try {
      openAesGcm(randomBytes(32), packed, aad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecryptionError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as DecryptionError;
    expect(error.name).toBe('DecryptionError');
    expect(error.message).toBe(DECRYPTION_MESSAGE);
    expect(error.cause).toBeUndefined();
  });

  it('requires a 32-byte key', () => {
    for (const badKey of [randomBytes(16), randomBytes(31), randomBytes(33)]) {
      expect(() => sealAesGcm(badKey, plaintext, aad)).toThrow(/exactly 32 bytes/);
      expect(() => openAesGcm(badKey, Buffer.alloc(64), aad)).toThrow(/exactly 32 bytes/);
    }
  });
});
