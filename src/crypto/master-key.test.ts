import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateMasterKey, masterKeyId, parseMasterKey } from './master-key.js';

function expectRejectedWithoutEcho(encoded: string): void {
  let message = '';
  try {
    parseMasterKey(encoded);
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/base64, base64url, or 64 hex/);
  if (encoded.trim().length > 0) expect(message).not.toContain(encoded.trim());
}

describe('parseMasterKey', () => {
  // Includes bytes 0xfb/0xff, which differ between the base64 and base64url alphabets.
  const raw = Buffer.concat([Buffer.from([0xfb, 0xff, 0xfe]), randomBytes(29)]);

  it('accepts base64, padded or not', () => {
    const base64 = raw.toString('base64');
    expect(base64).toMatch(/[+/]/);
    expect(parseMasterKey(base64).key.equals(raw)).toBe(true);
    expect(parseMasterKey(base64.replace(/=$/, '')).key.equals(raw)).toBe(true);
  });

  it('accepts base64url, padded or not', () => {
    const base64url = raw.toString('base64url');
    expect(base64url).toMatch(/[-_]/);
    expect(parseMasterKey(base64url).key.equals(raw)).toBe(true);
    expect(parseMasterKey(`${base64url}=`).key.equals(raw)).toBe(true);
  });

  it('accepts 64 hex characters in either case', () => {
    expect(parseMasterKey(raw.toString('hex')).key.equals(raw)).toBe(true);
    expect(parseMasterKey(raw.toString('hex').toUpperCase()).key.equals(raw)).toBe(true);
  });

  it('ignores a trailing newline from env files and secret mounts', () => {
    expect(parseMasterKey(`${raw.toString('base64')}\n`).key.equals(raw)).toBe(true);
  });

  it('gives the parsed key its fingerprint as id', () => {
    expect(parseMasterKey(raw.toString('base64'))).toEqual({ id: masterKeyId(raw), key: raw });
  });

  it('rejects 31 and 33 bytes in every encoding, without echoing the input', () => {
    for (const size of [31, 33]) {
      const wrong = randomBytes(size);
      for (const encoding of ['base64', 'base64url', 'hex'] as const) {
        const encoded = wrong.toString(encoding);
        expect(() => parseMasterKey(encoded)).toThrow(Error);
        expectRejectedWithoutEcho(encoded);
      }
    }
  });

  it('rejects malformed text, without echoing the input', () => {
    const valid = raw.toString('base64');
    const candidates = [
      '',
      'not a key',
      `${valid.slice(0, 20)}!${valid.slice(21)}`, // a character Buffer.from would skip
      `${valid.slice(0, 20)} ${valid.slice(20)}`, // inner whitespace
      `${raw.toString('hex').slice(0, 63)}g`, // non-hex digit
      `${'A'.repeat(20)}+_${'A'.repeat(21)}`, // base64 and base64url alphabets mixed
      `${valid.slice(0, 42)}B=`, // non-zero spare bits: a second spelling of some key
      `${valid}=`, // double padding
    ];
    for (const encoded of candidates) {
      expect(() => parseMasterKey(encoded), JSON.stringify(encoded)).toThrow(Error);
      expectRejectedWithoutEcho(encoded);
    }
  });

  it('rejects an all-zero placeholder key', () => {
    expect(() => parseMasterKey(Buffer.alloc(32).toString('base64'))).toThrow(/all-zero/);
    expect(() => parseMasterKey('0'.repeat(64))).toThrow(/all-zero/);
  });

  it('rejects non-string input', () => {
    expect(() => parseMasterKey(undefined as unknown as string)).toThrow(/base64/);
  });
});

describe('masterKeyId', () => {
  it('is mk_ followed by 16 hex characters, stable for a key and different across keys', () => {
    const key = randomBytes(32);
    expect(masterKeyId(key)).toMatch(/^mk_[0-9a-f]{16}$/);
    expect(masterKeyId(key)).toBe(masterKeyId(Buffer.from(key)));
    expect(masterKeyId(key)).not.toBe(masterKeyId(randomBytes(32)));
  });

  it('keeps its v1 derivation, since stored wrapped keys refer to it', () => {
    expect(masterKeyId(Buffer.alloc(32, 1))).toBe('mk_e0e924db72a6d299');
  });

  it('requires a 32-byte key', () => {
    expect(() => masterKeyId(randomBytes(16))).toThrow(/exactly 32 bytes/);
  });
});

describe('generateMasterKey', () => {
  it('produces a fresh base64 key that parseMasterKey accepts', () => {
    const encoded = generateMasterKey();
    expect(encoded).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(parseMasterKey(encoded).key).toHaveLength(32);
    expect(generateMasterKey()).not.toBe(encoded);
  });
});
