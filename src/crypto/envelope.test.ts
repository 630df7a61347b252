import { describe, expect, it } from 'vitest';
import { DecryptionError } from './aead.js';
import {
  decryptSecret,
  encryptSecret,
  generateDataKey,
  generateMasterKey,
  parseMasterKey,
  unwrapDataKey,
  wrapDataKey,
} from './envelope.js';

const master = parseMasterKey(generateMasterKey());
const keyCtx = { orgId: 'org_1', dataKeyId: 'dk_1' };
const secretCtx = { orgId: 'org_1', rowId: 'row_1', purpose: 'provider-api-key' };
const secret = 'sk-live-0123456789abcdef';

function flipEachByte(buffer: Buffer): Buffer[] {
  return Array.from(buffer, (_, i) => {
    const copy = Buffer.from(buffer);
    copy[i] = copy[i]! ^ 0x80;
    return copy;
  });
}

describe('generateDataKey', () => {
  it('returns 32 fresh random bytes', () => {
    const key = generateDataKey();
    expect(key).toHaveLength(32);
    expect(key.equals(generateDataKey())).toBe(false);
  });
});

describe('wrapDataKey / unwrapDataKey', () => {
  const dataKey = generateDataKey();

  it('round-trips', () => {
    expect(unwrapDataKey(master, wrapDataKey(master, dataKey, keyCtx), keyCtx).equals(dataKey)).toBe(true);
  });

  it('wraps the same key differently each time', () => {
    expect(wrapDataKey(master, dataKey, keyCtx).equals(wrapDataKey(master, dataKey, keyCtx))).toBe(false);
  });

  it('fails for a wrapped key copied to another org or another row', () => {
    const wrapped = wrapDataKey(master, dataKey, keyCtx);
    expect(() => unwrapDataKey(master, wrapped, { ...keyCtx, orgId: 'org_2' })).toThrow(DecryptionError);
    expect(() => unwrapDataKey(master, wrapped, { ...keyCtx, dataKeyId: 'dk_2' })).toThrow(DecryptionError);
  });

  it('fails under another master key', () => {
    const other = parseMasterKey(generateMasterKey());
    expect(() => unwrapDataKey(other, wrapDataKey(master, dataKey, keyCtx), keyCtx)).toThrow(DecryptionError);
  });

  it('fails if any byte is changed', () => {
    for (const tampered of flipEachByte(wrapDataKey(master, dataKey, keyCtx))) {
      expect(() => unwrapDataKey(master, tampered, keyCtx)).toThrow(DecryptionError);
    }
  });

  it('does not accept a sealed secret as a wrapped key, even under the same key and ids', () => {
    // Same AES key, and ids chosen so the field values line up: only the domain label differs.
    const sealed = encryptSecret(master.key, 'x'.repeat(32), { purpose: 'org_1', orgId: 'dk_1', rowId: 'r' });
    expect(() => unwrapDataKey(master, sealed, keyCtx)).toThrow(DecryptionError);
  });

  it('requires a 32-byte data key and non-empty ids', () => {
    expect(() => wrapDataKey(master, Buffer.alloc(16, 1), keyCtx)).toThrow(/exactly 32 bytes/);
    expect(() => wrapDataKey(master, dataKey, { ...keyCtx, orgId: '' })).toThrow(/orgId/);
    expect(() => wrapDataKey(master, dataKey, { ...keyCtx, dataKeyId: '' })).toThrow(/dataKeyId/);
  });
});

describe('encryptSecret / decryptSecret', () => {
  const dataKey = generateDataKey();

  it('round-trips, including non-ASCII and empty text', () => {
    for (const text of [secret, 'ключ-🔑', '']) {
      expect(decryptSecret(dataKey, encryptSecret(dataKey, text, secretCtx), secretCtx)).toBe(text);
    }
  });

  it('does not contain the plaintext and differs on every encryption', () => {
    const a = encryptSecret(dataKey, secret, secretCtx);
    const b = encryptSecret(dataKey, secret, secretCtx);
    expect(a.includes(Buffer.from(secret))).toBe(false);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
  });

  it('fails for another org, row or purpose', () => {
    const sealed = encryptSecret(dataKey, secret, secretCtx);
    for (const ctx of [
      { ...secretCtx, orgId: 'org_2' },
      { ...secretCtx, rowId: 'row_2' },
      { ...secretCtx, purpose: 'webhook-secret' },
    ]) {
      expect(() => decryptSecret(dataKey, sealed, ctx)).toThrow(DecryptionError);
    }
  });

  it('binds the context unambiguously: moving a separator between fields fails', () => {
    const sealed = encryptSecret(dataKey, secret, { purpose: 'p', orgId: 'a:b', rowId: 'c' });
    expect(() => decryptSecret(dataKey, sealed, { purpose: 'p', orgId: 'a', rowId: 'b:c' })).toThrow(DecryptionError);
    const swapped = encryptSecret(dataKey, secret, { purpose: 'p', orgId: 'x', rowId: 'y' });
    expect(() => decryptSecret(dataKey, swapped, { purpose: 'p', orgId: 'y', rowId: 'x' })).toThrow(DecryptionError);
  });

  it('fails under another data key', () => {
    const sealed = encryptSecret(dataKey, secret, secretCtx);
    expect(() => decryptSecret(generateDataKey(), sealed, secretCtx)).toThrow(DecryptionError);
  });

  it('fails if any byte is changed', () => {
    for (const tampered of flipEachByte(encryptSecret(dataKey, secret, secretCtx))) {
      expect(() => decryptSecret(dataKey, tampered, secretCtx)).toThrow(DecryptionError);
    }
  });

  it('never puts the secret or key into the error message', () => {
    const sealed = encryptSecret(dataKey, secret, secretCtx);
    try {
      decryptSecret(generateDataKey(), sealed, secretCtx);
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain(secret);
      expect(message).not.toContain(dataKey.toString('hex'));
      expect(message).not.toContain(dataKey.toString('base64'));
    }
  });

  it('requires non-empty context fields', () => {
    for (const field of ['orgId', 'rowId', 'purpose'] as const) {
      expect(() => encryptSecret(dataKey, secret, { ...secretCtx, [field]: '' })).toThrow(new RegExp(field));
    }
  });
});

describe('end to end: master key -> data key -> secret', () => {
  it('recovers a secret from only the stored wrapped key, the sealed secret and the ids', () => {
    const dataKey = generateDataKey();
    const stored = {
      wrappedKey: wrapDataKey(master, dataKey, keyCtx),
      sealed: encryptSecret(dataKey, secret, secretCtx),
    };
    const recovered = unwrapDataKey(master, stored.wrappedKey, keyCtx);
    expect(decryptSecret(recovered, stored.sealed, secretCtx)).toBe(secret);
  });
});
