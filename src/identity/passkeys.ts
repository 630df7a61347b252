/**
 * A user's passkeys as `/api/me/passkeys` sees them: list (never the public key or credential id),
 * rename, remove. Each change and its audit event commit in one transaction. Registration and
 * sign-in are the passkey plugin's (`/api/auth/passkey/*`); see passkey-storage-adapter.ts.
 */
import { and, asc, eq, isNotNull, ne, or } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { accounts, passkeys } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { HttpError } from '../http/errors.js';

export type PasskeyView = {
  id: string;
  name: string | null;
  createdAt: Date | null;
  lastUsedAt: Date | null;
  deviceType: string;
  backedUp: boolean;
};

/** What a passkey shows its owner (never its key material). */
export const passkeyColumns = {
  id: passkeys.id,
  name: passkeys.name,
  createdAt: passkeys.createdAt,
  lastUsedAt: passkeys.lastUsedAt,
  deviceType: passkeys.deviceType,
  backedUp: passkeys.backedUp,
};

export const lastSignInMethod = () =>
  new HttpError(
    409,
    'invalid_request_error',
    'last_sign_in_method',
    'This is your only way to sign in: add another passkey or a password before removing it.',
  );

export async function listPasskeys(db: ScopedDatabase, userId: string): Promise<PasskeyView[]> {
  return db.withRole((tx) =>
    tx.select(passkeyColumns).from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id)),
  );
}

/** Renames one of the user's passkeys; undefined when they have none with this id (another user's included). */
export async function renamePasskey(
  db: ScopedDatabase,
  userId: string,
  passkeyId: string,
  name: string,
  ctx: ActionContext,
): Promise<PasskeyView | undefined> {
  return db.withRole(async (tx) => {
    const [before] = await tx
      .select({ name: passkeys.name })
      .from(passkeys)
      .where(and(eq(passkeys.userId, userId), eq(passkeys.id, passkeyId)))
      .for('update');
    if (!before) return undefined;
    const [row] = await tx
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.userId, userId), eq(passkeys.id, passkeyId)))
      .returning(passkeyColumns);
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'passkey.renamed',
      target: { type: 'passkey', id: passkeyId },
      personal: { name, previousName: before.name },
      subject: userId,
    });
    return row;
  });
}

/**
 * Removes one of the user's passkeys; false when they have none with this id. Refuses (409) to
 * remove the last way to sign in: the last passkey of a user with no password and no other
 * account. The user's passkey rows are locked first, so two concurrent removals cannot both pass.
 */
export async function removePasskey(db: ScopedDatabase, userId: string, passkeyId: string, ctx: ActionContext): Promise<boolean> {
  return db.withRole(async (tx) => {
    const owned = await tx.select({ id: passkeys.id, name: passkeys.name }).from(passkeys).where(eq(passkeys.userId, userId)).for('update');
    const target = owned.find((p) => p.id === passkeyId);
    if (!target) return false;
    if (owned.length === 1) {
      const [other] = await tx
        .select({ id: accounts.id })
        .from(accounts)
        .where(and(eq(accounts.userId, userId), or(ne(accounts.providerId, 'credential'), isNotNull(accounts.password))))
        .limit(1);
      if (!other) throw lastSignInMethod();
    }
    await tx.delete(passkeys).where(and(eq(passkeys.userId, userId), eq(passkeys.id, passkeyId)));
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'passkey.removed',
      target: { type: 'passkey', id: passkeyId },
      personal: { name: target.name },
      subject: userId,
    });
    return true;
  });
}
