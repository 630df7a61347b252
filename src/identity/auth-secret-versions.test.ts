import { symmetricDecrypt, symmetricEncrypt } from 'better-auth/crypto';
import { describe, expect, it } from 'vitest';
import { betterAuthSecretConfig } from './auth-secret-rotation.js';
import { betterAuthSecrets, secretVersion } from './auth-secret-versions.js';

const OLD = 'the-original-auth-secret-0123456789abcdef';
const NEW = 'the-rotated-auth-secret-0123456789abcdefgh';

describe('better-auth secrets across AUTH_SECRET rotations', () => {
  it('still opens what an earlier release wrote (bare hex under the plain secret), with and without a rotation since', async () => {
    // Before versioned secrets, better-auth was given the secret alone and wrote bare hex.
    const legacy = await symmetricEncrypt({ key: OLD, data: 'JBSWY3DPEHPK3PXP' });
    expect(legacy).toMatch(/^[0-9a-f]+$/);
    expect(await symmetricDecrypt({ key: betterAuthSecretConfig(OLD, []), data: legacy })).toBe('JBSWY3DPEHPK3PXP');
    expect(await symmetricDecrypt({ key: betterAuthSecretConfig(NEW, [OLD]), data: legacy })).toBe('JBSWY3DPEHPK3PXP');
    await expect(symmetricDecrypt({ key: betterAuthSecretConfig(NEW, []), data: legacy })).rejects.toThrow();
  });

  it('writes under the current secret, reads under any listed one, and a version stays with its secret', async () => {
    const written = await symmetricEncrypt({ key: betterAuthSecretConfig(OLD, []), data: 'seed' });
    expect(written.startsWith(`$ba$${secretVersion(OLD)}$`)).toBe(true);
    expect(await symmetricDecrypt({ key: betterAuthSecretConfig(NEW, [OLD]), data: written })).toBe('seed');
    await expect(symmetricDecrypt({ key: betterAuthSecretConfig(NEW, []), data: written })).rejects.toThrow(/not found/);
    expect(betterAuthSecrets(NEW, [OLD]).secrets.map((s) => s.version)).toEqual([secretVersion(NEW), secretVersion(OLD)]);
    expect(betterAuthSecrets(NEW, [OLD]).secret).toBe(OLD);
  });
});
