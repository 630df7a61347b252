/**
 * `portcullis keys rotate-auth-secret`: after AUTH_SECRET has been rotated (the old value moved to
 * AUTH_SECRET_PREVIOUS), re-encrypts what better-auth encrypted with an earlier secret, each
 * account's TOTP secret and two-factor backup codes, under the current one. Afterwards those no
 * longer need the earlier secret; recovery codes do (a hash cannot be re-keyed), as do audit
 * checkpoints until retention writes a new one (see docs/security.md, "Rotating AUTH_SECRET").
 *
 * One transaction with its audit event: counts only. A payload that no listed secret opens (its
 * secret was dropped from AUTH_SECRET_PREVIOUS) is counted as unreadable and left as it is: that
 * account must set up two-factor again.
 */
import { eq } from 'drizzle-orm';
import { parseEnvelope, symmetricDecrypt, symmetricEncrypt, type SecretConfig } from 'better-auth/crypto';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { twoFactors } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { betterAuthSecrets } from './auth-secret-versions.js';

export type AuthSecretRotationSummary = {
  /** Accounts with two-factor set up. */
  twoFactors: number;
  reencrypted: number;
  alreadyCurrent: number;
  /** Encrypted under a secret no longer listed: those accounts must set up two-factor again. */
  unreadable: number;
};

/** The key better-auth itself builds from the same secrets (auth-secret-versions.ts). */
export function betterAuthSecretConfig(current: string, previous: readonly string[]): SecretConfig {
  const { secret, secrets } = betterAuthSecrets(current, previous);
  return { keys: new Map(secrets.map((s) => [s.version, s.value])), currentVersion: secrets[0]!.version, legacySecret: secret };
}

/** Whether a payload is already encrypted under the current secret's version. */
const underCurrent = (key: SecretConfig, payload: string) => parseEnvelope(payload)?.version === key.currentVersion;

/**
 * Which secret each account's two-factor payloads open under, without changing anything (doctor):
 * the current AUTH_SECRET, an earlier one, or none listed (that account cannot complete a
 * two-factor sign-in: the plugin fails with a server error).
 */
export async function twoFactorSecretsStatus(
  db: ScopedDatabase,
  secrets: { current: string; previous: readonly string[] },
): Promise<{ twoFactors: number; underCurrent: number; underPrevious: number; unreadable: number }> {
  const key = betterAuthSecretConfig(secrets.current, secrets.previous);
  const rows = await db.withRole((tx) => tx.select({ secret: twoFactors.secret, backupCodes: twoFactors.backupCodes }).from(twoFactors));
  const status = { twoFactors: rows.length, underCurrent: 0, underPrevious: 0, unreadable: 0 };
  for (const row of rows) {
    try {
      for (const payload of [row.secret, row.backupCodes]) await symmetricDecrypt({ key, data: payload });
    } catch {
      status.unreadable++;
      continue;
    }
    const current = underCurrent(key, row.secret) && underCurrent(key, row.backupCodes);
    if (current) status.underCurrent++;
    else status.underPrevious++;
  }
  return status;
}

export async function reencryptUnderCurrentAuthSecret(
  db: ScopedDatabase,
  secrets: { current: string; previous: readonly string[] },
  ctx: ActionContext,
): Promise<AuthSecretRotationSummary> {
  const key = betterAuthSecretConfig(secrets.current, secrets.previous);
  const reencrypted = async (payload: string) =>
    underCurrent(key, payload) ? payload : symmetricEncrypt({ key, data: await symmetricDecrypt({ key, data: payload }) });
  return db.withRole(async (tx) => {
    const rows = await tx.select({ id: twoFactors.id, secret: twoFactors.secret, backupCodes: twoFactors.backupCodes }).from(twoFactors);
    const summary: AuthSecretRotationSummary = { twoFactors: rows.length, reencrypted: 0, alreadyCurrent: 0, unreadable: 0 };
    for (const row of rows) {
      if (underCurrent(key, row.secret) && underCurrent(key, row.backupCodes)) {
        summary.alreadyCurrent++;
        continue;
      }
      let updated: { secret: string; backupCodes: string };
      try {
        updated = { secret: await reencrypted(row.secret), backupCodes: await reencrypted(row.backupCodes) };
      } catch {
        summary.unreadable++;
        continue;
      }
      await tx.update(twoFactors).set(updated).where(eq(twoFactors.id, row.id));
      summary.reencrypted++;
    }
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'instance.auth_secret_rotated',
      target: null,
      outcome: summary.unreadable === 0 ? 'success' : 'failure',
      reason: summary.unreadable === 0 ? null : `${summary.unreadable} two-factor setups open under no listed secret`,
      diff: { ...summary, previousSecrets: secrets.previous.length },
    });
    return summary;
  });
}
