/**
 * Instance administration: the sign-up mode, who is an instance admin, every org and its plan.
 * The database functions behind these (migration 0016) check the actor is an instance admin
 * themselves; the checks here give the caller a clear error and keep each change and its audit
 * event (instance chain, or the org's chain for a plan) in one transaction.
 */
import { asc, eq } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { grantInstanceAdmin, listAllOrganizations, revokeInstanceAdmin, setSignupMode, type InstanceOrg } from '../db/definer.js';
import { instanceAdmins, users, type OrgPlan, type SignupMode } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { DbOrTx } from '../db/types.js';
import { forbidden, HttpError, notFound } from '../http/errors.js';
import { readSignupMode } from './instance-settings.js';
import { findMember } from './members.js';
import { changePlan, getOrganization } from './organizations.js';
import { findUserByEmail } from './users.js';

export const instanceAdminRequired = () => forbidden('Only an instance administrator may do this.', 'instance_admin_required');

const conflict = (code: string, message: string) => new HttpError(409, 'invalid_request_error', code, message);

export type InstanceAdminView = { userId: string; email: string; name: string; grantedAt: Date; grantedBy: string | null };

export async function isInstanceAdmin(tx: DbOrTx, userId: string): Promise<boolean> {
  const rows = await tx.select({ userId: instanceAdmins.userId }).from(instanceAdmins).where(eq(instanceAdmins.userId, userId)).limit(1);
  return rows.length > 0;
}

export function getSignupMode(db: ScopedDatabase): Promise<SignupMode> {
  return db.withRole((tx) => readSignupMode(tx));
}

/** Audited only when the mode actually changes (setting the same mode again is no event). */
export async function changeSignupMode(db: ScopedDatabase, actorUserId: string, mode: SignupMode, ctx: ActionContext): Promise<SignupMode> {
  return db.withRole(async (tx) => {
    const from = await readSignupMode(tx);
    if (!(await setSignupMode(tx, actorUserId, mode))) throw instanceAdminRequired();
    if (from !== mode)
      await recordAudit(tx, {
        orgId: null,
        actor: ctx.actor,
        requestId: ctx.requestId,
        action: 'instance.signup_mode_changed',
        target: { type: 'instance', id: null },
        diff: { signupMode: { from, to: mode } },
      });
    return mode;
  });
}

export function listOrganizations(db: ScopedDatabase, actorUserId: string): Promise<InstanceOrg[]> {
  return db.withRole((tx) => listAllOrganizations(tx, actorUserId));
}

const adminColumns = {
  userId: instanceAdmins.userId,
  email: users.email,
  name: users.name,
  grantedAt: instanceAdmins.grantedAt,
  grantedBy: instanceAdmins.grantedBy,
};

export function listInstanceAdmins(db: ScopedDatabase): Promise<InstanceAdminView[]> {
  return db.withRole((tx) =>
    tx
      .select(adminColumns)
      .from(instanceAdmins)
      .innerJoin(users, eq(users.id, instanceAdmins.userId))
      .orderBy(asc(instanceAdmins.grantedAt)),
  );
}

/** The user to make an admin, by id or by email (emails compare case-insensitively). */
export type AdminCandidate = { userId: string } | { email: string };

export async function grantAdmin(
  db: ScopedDatabase,
  actorUserId: string,
  who: AdminCandidate,
  ctx: ActionContext,
): Promise<InstanceAdminView> {
  return db.withRole(async (tx) => {
    const userId = 'userId' in who ? who.userId : (await findUserByEmail(tx, who.email))?.id;
    // An admin naming a user who does not exist learns only that: admins may see every user anyway.
    const noUser = () =>
      notFound('No user with that id or email address. They need an account first (an invitation or sign-up).', 'no_user');
    if (userId === undefined) throw noUser();
    const result = await grantInstanceAdmin(tx, actorUserId, userId);
    switch (result) {
      case 'not_admin':
        throw instanceAdminRequired();
      case 'no_user':
        throw noUser();
      case 'already_admin':
        throw conflict('already_admin', 'That user is already an instance administrator.');
      case 'granted':
        break;
    }
    const [row] = await tx
      .select(adminColumns)
      .from(instanceAdmins)
      .innerJoin(users, eq(users.id, instanceAdmins.userId))
      .where(eq(instanceAdmins.userId, userId))
      .limit(1);
    if (!row) throw new Error(`instance admin ${userId} not found right after granting`);
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'instance.admin_granted',
      target: { type: 'user', id: userId },
      personal: { email: row.email },
      subject: userId,
    });
    return row;
  });
}

/**
 * The ex-admin's sessions stay: instance-admin status is read on every request (session-principal.ts),
 * so the very next request is refused without signing them out of their orgs.
 */
export async function revokeAdmin(db: ScopedDatabase, actorUserId: string, userId: string, ctx: ActionContext): Promise<void> {
  await db.withRole(async (tx) => {
    const result = await revokeInstanceAdmin(tx, actorUserId, userId);
    switch (result) {
      case 'not_admin':
        throw instanceAdminRequired();
      case 'not_found':
        throw notFound('That user is not an instance administrator.', 'not_found');
      case 'last_admin':
        throw conflict('last_admin', 'The instance must keep at least one administrator: grant another first.');
      case 'revoked':
        break;
    }
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'instance.admin_revoked',
      target: { type: 'user', id: userId },
      diff: null,
    });
  });
}

export type PlanChange = { id: string; name: string; plan: OrgPlan; previousPlan: OrgPlan };

/**
 * Sets an org's plan, audited in the org's own chain (`org.plan_changed`), so its members see who
 * changed it. `actorUserId`: an instance admin acting through the api, re-checked in this
 * transaction, who must not be a member of the org (an owner never sets their own plan: another
 * instance admin or the operator's CLI does). Absent for the operator (system actor).
 */
export async function setPlan(
  db: ScopedDatabase,
  orgId: string,
  plan: OrgPlan,
  ctx: ActionContext,
  actorUserId?: string,
): Promise<PlanChange> {
  return db.withTenant(orgId, async (tx) => {
    if (actorUserId !== undefined) {
      if (!(await isInstanceAdmin(tx, actorUserId))) throw instanceAdminRequired();
      if (await findMember(tx, orgId, actorUserId))
        throw forbidden(
          'You are a member of this organization and cannot change its plan. Another instance administrator, or the operator with `portcullis orgs set-plan`, must.',
          'own_org_plan',
        );
    }
    const org = await getOrganization(tx, orgId);
    if (!org) throw notFound('No such organization.', 'org_not_found');
    await changePlan(tx, orgId, org.plan, plan, ctx);
    return { id: org.id, name: org.name, plan, previousPlan: org.plan };
  });
}
