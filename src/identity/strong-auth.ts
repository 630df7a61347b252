/**
 * The org setting "require 2FA or passkey for admins and owners" (`requireStrongAuthForAdmins`):
 * a signed-in user meets it with two-factor (TOTP) turned on or at least one passkey. The registry
 * asks this for session principals on admin-level permissions only (api/registry.ts), so a member
 * who falls short keeps read access and developer actions, and can still set up 2FA or a passkey.
 */
import { eq } from 'drizzle-orm';
import type { SessionPrincipal } from '../auth/principal.js';
import { passkeys, users } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { getOrganization } from '../tenancy/organizations.js';
import { parseOrgSettings } from '../tenancy/settings.js';

/** Whether the user has a second factor or a passkey. */
export async function hasStrongAuth(db: ScopedDatabase, userId: string): Promise<boolean> {
  return db.withRole(async (tx) => {
    const [user] = await tx.select({ twoFactorEnabled: users.twoFactorEnabled }).from(users).where(eq(users.id, userId)).limit(1);
    if (user?.twoFactorEnabled === true) return true;
    const [passkey] = await tx.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.userId, userId)).limit(1);
    return passkey !== undefined;
  });
}

export function strongAuthCheck(db: ScopedDatabase) {
  return async (principal: SessionPrincipal, orgId: string): Promise<boolean> => {
    const org = await db.withTenant(orgId, (tx) => getOrganization(tx, orgId));
    if (!org || !parseOrgSettings(org.id, org.settings).requireStrongAuthForAdmins) return true;
    return hasStrongAuth(db, principal.userId);
  };
}
