import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_KINDS,
  generateCredential,
  hashCredentialSecret,
  maskCredential,
  parseCredential,
  verifyCredentialSecret,
} from './api-key.js';

// Cost 4 keeps the suite fast; one test below exercises the default cost.
const FAST_COST = 4;

describe('generateCredential', () => {
  it.each(CREDENTIAL_KINDS)('produces pc_%s_<12 base62>_<48 base62>', (kind) => {
    const credential = generateCredential(kind);
    expect(credential.token).toMatch(new RegExp(`^pc_${kind}_[0-9A-Za-z]{12}_[0-9A-Za-z]{48}$`));
    expect(credential.token).toBe(`pc_${kind}_${credential.lookupId}_${credential.secret}`);
    expect(credential.lookupId).toHaveLength(12);
    expect(credential.secret).toHaveLength(48);
    expect(credential.last4).toBe(credential.token.slice(-4));
  });

  it('gives the secret at least 256 bits of entropy', () => {
    const { secret } = generateCredential('live');
    expect(secret.length * Math.log2(62)).toBeGreaterThanOrEqual(256);
  });

  it('never repeats lookup ids or secrets', () => {
    const credentials = Array.from({ length: 500 }, () => generateCredential('test'));
    expect(new Set(credentials.map((c) => c.lookupId)).size).toBe(500);
    expect(new Set(credentials.map((c) => c.secret)).size).toBe(500);
  });

  it('rejects unknown kinds', () => {
    expect(() => generateCredential('root' as 'live')).toThrow(/live, test, admin/);
  });
});

describe('parseCredential', () => {
  const { token, lookupId, secret } = generateCredential('live');

  it('parses every kind it generates', () => {
    expect(parseCredential(token)).toEqual({ kind: 'live', lookupId, secret });
    for (const kind of CREDENTIAL_KINDS) {
      expect(parseCredential(generateCredential(kind).token)?.kind).toBe(kind);
    }
  });

  it.each([
    ['empty', ''],
    ['wrong product prefix', token.replace(/^pc_/, 'pk_')],
    ['uppercase prefix', token.replace(/^pc_/, 'PC_')],
    ['unknown kind', token.replace('_live_', '_prod_')],
    ['kind in wrong case', token.replace('_live_', '_LIVE_')],
    ['missing kind', token.replace('_live_', '_')],
    ['lookup id one short', `pc_live_${lookupId.slice(1)}_${secret}`],
    ['lookup id one long', `pc_live_${lookupId}a_${secret}`],
    ['secret one short', token.slice(0, -1)],
    ['secret one long', `${token}a`],
    ['trailing newline', `${token}\n`],
    ['trailing space', `${token} `],
    ['leading space', ` ${token}`],
    ['bearer prefix left on', `Bearer ${token}`],
    ['whitespace inside', `pc_live_${lookupId}_ ${secret.slice(1)}`],
    ['hyphen (base64url alphabet)', `pc_live_${lookupId}_-${secret.slice(1)}`],
    ['underscore inside secret', `pc_live_${lookupId}_${secret.slice(0, 20)}_${secret.slice(21)}`],
    ['non-ASCII letter', `pc_live_${lookupId}_é${secret.slice(1)}`],
    ['fullwidth digit', `pc_live_${lookupId}_１${secret.slice(1)}`],
    ['separator swapped', token.replace(`_${secret}`, `-${secret}`)],
    ['missing separator', `pc_live_${lookupId}${secret}`],
    ['two tokens', `${token},${token}`],
    ['very long input', `${token}${'a'.repeat(100_000)}`],
  ])('returns null for %s', (_label, candidate) => {
    expect(parseCredential(candidate)).toBeNull();
  });

  it('returns null instead of throwing for non-string input', () => {
    const values: unknown[] = [undefined, null, 42, {}, [token]];
    for (const value of values) {
      expect(parseCredential(value as string)).toBeNull();
    }
  });
});

describe('hashCredentialSecret / verifyCredentialSecret', () => {
  it('verifies the right secret and rejects a wrong one', async () => {
    const { secret } = generateCredential('live');
    const hash = await hashCredentialSecret(secret, FAST_COST);
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(hash).not.toContain(secret);
    await expect(verifyCredentialSecret(secret, hash)).resolves.toBe(true);
    await expect(verifyCredentialSecret(generateCredential('live').secret, hash)).resolves.toBe(false);
    // the last character changed (to one it is not: a secret ending in "x" made "…x" the same secret)
    const lastChanged = `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
    await expect(verifyCredentialSecret(lastChanged, hash)).resolves.toBe(false);
    await expect(verifyCredentialSecret(`${secret}x`, hash)).resolves.toBe(false);
  });

  it('salts, so one secret hashes differently each time', async () => {
    const { secret } = generateCredential('admin');
    expect(await hashCredentialSecret(secret, FAST_COST)).not.toBe(await hashCredentialSecret(secret, FAST_COST));
  });

  it('uses cost 10 by default', async () => {
    const { secret } = generateCredential('test');
    const hash = await hashCredentialSecret(secret);
    expect(hash).toMatch(/^\$2b\$10\$/);
    await expect(verifyCredentialSecret(secret, hash)).resolves.toBe(true);
  });

  it('returns false rather than throwing on malformed hashes', async () => {
    const { secret } = generateCredential('live');
    for (const hash of ['', 'not-a-hash', '$2b$10$short', '$2b$99$' + 'a'.repeat(53), undefined as unknown as string]) {
      await expect(verifyCredentialSecret(secret, hash)).resolves.toBe(false);
    }
  });

  it('refuses secrets bcrypt would silently truncate', async () => {
    const long = 'a'.repeat(73);
    await expect(hashCredentialSecret(long, FAST_COST)).rejects.toThrow(RangeError);
    await expect(hashCredentialSecret('abc\0def', FAST_COST)).rejects.toThrow(RangeError);
    await expect(hashCredentialSecret('', FAST_COST)).rejects.toThrow(RangeError);
    // A hash of the first 72 bytes must not vouch for a longer secret that shares them.
    const hash = await hashCredentialSecret(long.slice(0, 72), FAST_COST);
    await expect(verifyCredentialSecret(long, hash)).resolves.toBe(false);
  });

  it('rejects out-of-range costs', async () => {
    for (const cost of [3, 32, 10.5, Number.NaN]) {
      await expect(hashCredentialSecret('secret', cost)).rejects.toThrow(/bcrypt cost/);
    }
  });
});

describe('maskCredential', () => {
  it('shows kind, lookup id and last 4 only', () => {
    const { token, lookupId, last4, secret } = generateCredential('live');
    const masked = maskCredential({ kind: 'live', lookupId, last4 });
    expect(masked).toBe(`pc_live_${lookupId}_…${token.slice(-4)}`);
    expect(masked).not.toContain(secret);
  });

  it('matches the documented example', () => {
    expect(maskCredential({ kind: 'live', lookupId: 'AbCdEfGhIjKl', last4: 'wxyz' })).toBe('pc_live_AbCdEfGhIjKl_…wxyz');
  });

  it('refuses input that could be a whole secret', () => {
    const { lookupId, secret } = generateCredential('live');
    expect(() => maskCredential({ kind: 'live', lookupId, last4: secret })).toThrow(TypeError);
    expect(() => maskCredential({ kind: 'live', lookupId: secret, last4: 'abcd' })).toThrow(TypeError);
  });
});
