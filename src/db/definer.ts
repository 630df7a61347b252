/**
 * Typed calls to the SECURITY DEFINER functions (see migrations/0002_security.sql). These are the
 * only queries that cross tenants, each narrow and granted to one service role.
 */
import { sql } from 'drizzle-orm';
import { queryOne, queryRows } from './rows.js';
import type { DbOrTx } from './types.js';

export type ApiKeyLookup = {
  id: string;
  orgId: string;
  projectId: string;
  kind: 'live' | 'test';
  secretHash: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  allowedModels: string[] | null;
  ipAllowlist: string[] | null;
  /** Raw stored limits; parse with tenancy/limits.ts. */
  limits: unknown;
  /** Set when the lookup id is the previous one of a rotated key: the end of its grace period. */
  supersededUntil: Date | null;
};

const toDate = (value: unknown): Date | null =>
  value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;

export async function lookupApiKey(tx: DbOrTx, lookupId: string): Promise<ApiKeyLookup | undefined> {
  const row = await queryOne<Record<string, unknown>>(tx, sql`select * from portcullis_lookup_api_key_v2(${lookupId})`);
  if (!row) return undefined;
  return {
    id: String(row.id),
    orgId: String(row.org_id),
    projectId: String(row.project_id),
    kind: row.kind === 'test' ? 'test' : 'live',
    secretHash: String(row.secret_hash),
    expiresAt: toDate(row.expires_at),
    revokedAt: toDate(row.revoked_at),
    allowedModels: toStringArray(row.allowed_models),
    ipAllowlist: toStringArray(row.ip_allowlist),
    limits: row.limits ?? {},
    supersededUntil: toDate(row.superseded_until),
  };
}

function toStringArray(value: unknown): string[] | null {
  return Array.isArray(value) ? value.map((v) => String(v)) : null;
}

export type AdminTokenLookup = {
  id: string;
  orgId: string;
  role: string;
  secretHash: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
};

export async function lookupAdminToken(tx: DbOrTx, lookupId: string): Promise<AdminTokenLookup | undefined> {
  const row = await queryOne<Record<string, unknown>>(tx, sql`select * from portcullis_lookup_admin_token(${lookupId})`);
  if (!row) return undefined;
  return {
    id: String(row.id),
    orgId: String(row.org_id),
    role: String(row.role),
    secretHash: String(row.secret_hash),
    expiresAt: toDate(row.expires_at),
    revokedAt: toDate(row.revoked_at),
  };
}

export type UsageTotals = { requests: number; tokens: number; costMicroUsd: number };

/** Sums of request logs since a time, for one scope: what a lost usage counter is rebuilt from. */
export async function usageTotals(
  tx: DbOrTx,
  orgId: string,
  scope: 'org' | 'project' | 'api_key',
  scopeId: string,
  since: Date,
): Promise<UsageTotals> {
  const row = await queryOne<{ requests: string | number; tokens: string | number; cost_micro_usd: string | number }>(
    tx,
    sql`select * from portcullis_usage_totals(${orgId}::uuid, ${scope}, ${scopeId}::uuid, ${since.toISOString()}::timestamptz)`,
  );
  return { requests: Number(row?.requests ?? 0), tokens: Number(row?.tokens ?? 0), costMicroUsd: Number(row?.cost_micro_usd ?? 0) };
}

export async function recordBudgetAlert(
  tx: DbOrTx,
  orgId: string,
  scope: 'org' | 'project' | 'api_key',
  scopeId: string,
  diff: Record<string, unknown>,
  actor: { id: string; requestId: string | null },
): Promise<void> {
  await tx.execute(
    sql`select portcullis_record_budget_alert(${orgId}::uuid, ${scope}, ${scopeId}::uuid, ${JSON.stringify(diff)}::jsonb, ${actor.id}, ${actor.requestId})`,
  );
}

/** `security_alert.sent` from the gateway (migration 0025): only the gateway-side rules are accepted. */
export async function recordSecurityAlert(tx: DbOrTx, orgId: string, rule: string, diff: Record<string, unknown>): Promise<void> {
  await tx.execute(sql`select portcullis_record_security_alert(${orgId}::uuid, ${rule}, ${JSON.stringify(diff)}::jsonb)`);
}

export async function issueSetupToken(tx: DbOrTx, tokenHash: string, expiresAt: Date): Promise<boolean> {
  const row = await queryOne<{ issued: boolean }>(
    tx,
    sql`select portcullis_issue_setup_token(${tokenHash}, ${expiresAt.toISOString()}::timestamptz) as issued`,
  );
  return row?.issued === true;
}

export async function completeSetup(tx: DbOrTx, tokenHash: string, userId: string): Promise<boolean> {
  const row = await queryOne<{ completed: boolean }>(tx, sql`select portcullis_complete_setup(${tokenHash}, ${userId}) as completed`);
  return row?.completed === true;
}

/** `projectIds`: the projects a developer or viewer is limited to; null for every project. */
export type Membership = { orgId: string; orgName: string; role: string; projectIds: string[] | null };

export async function userMemberships(tx: DbOrTx, userId: string): Promise<Membership[]> {
  const rows = await queryRows<{ org_id: string; org_name: string; role: string; project_ids: string[] | string | null }>(
    tx,
    sql`select org_id, org_name, role, project_ids from portcullis_user_memberships(${userId})`,
  );
  return rows.map((r) => ({ orgId: r.org_id, orgName: r.org_name, role: r.role, projectIds: uuidArray(r.project_ids) }));
}

/** A uuid[] column as the driver returns it: an array (node-postgres, PGlite) or its text form. */
function uuidArray(value: string[] | string | null): string[] | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((id) => id.toLowerCase());
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((id) => id.toLowerCase());
}

export type InstanceOrg = { id: string; name: string; plan: string; createdAt: Date; members: number };

/** Every org of the instance; empty unless `actorUserId` is an instance admin (checked in the database). */
export async function listAllOrganizations(tx: DbOrTx, actorUserId: string): Promise<InstanceOrg[]> {
  const rows = await queryRows<{ id: string; name: string; plan: string; created_at: Date | string; members: number | string }>(
    tx,
    sql`select id, name, plan, created_at, members from portcullis_list_organizations(${actorUserId})`,
  );
  return rows.map((r) => ({ id: r.id, name: r.name, plan: r.plan, createdAt: new Date(r.created_at), members: Number(r.members) }));
}

/** Sets the instance's sign-up mode; false unless `actorUserId` is an instance admin. */
export async function setSignupMode(tx: DbOrTx, actorUserId: string, mode: string): Promise<boolean> {
  const row = await queryOne<{ updated: boolean }>(tx, sql`select portcullis_set_signup_mode(${actorUserId}, ${mode}) as updated`);
  return row?.updated === true;
}

export type GrantInstanceAdminResult = 'granted' | 'already_admin' | 'no_user' | 'not_admin';
export type RevokeInstanceAdminResult = 'revoked' | 'not_found' | 'last_admin' | 'not_admin';

export async function grantInstanceAdmin(tx: DbOrTx, granterUserId: string, userId: string): Promise<GrantInstanceAdminResult> {
  const row = await queryOne<{ result: GrantInstanceAdminResult }>(
    tx,
    sql`select portcullis_grant_instance_admin(${granterUserId}, ${userId}) as result`,
  );
  if (!row) throw new Error('portcullis_grant_instance_admin returned no row');
  return row.result;
}

export async function revokeInstanceAdmin(tx: DbOrTx, revokerUserId: string, userId: string): Promise<RevokeInstanceAdminResult> {
  const row = await queryOne<{ result: RevokeInstanceAdminResult }>(
    tx,
    sql`select portcullis_revoke_instance_admin(${revokerUserId}, ${userId}) as result`,
  );
  if (!row) throw new Error('portcullis_revoke_instance_admin returned no row');
  return row.result;
}

export async function findOrgIdByName(tx: DbOrTx, name: string): Promise<string | undefined> {
  const row = await queryOne<{ id: string | null }>(tx, sql`select portcullis_find_org_by_name(${name}) as id`);
  return row?.id ?? undefined;
}

export async function setOrgPlan(tx: DbOrTx, orgId: string, plan: string): Promise<boolean> {
  const row = await queryOne<{ updated: boolean }>(tx, sql`select portcullis_set_org_plan(${orgId}::uuid, ${plan}) as updated`);
  return row?.updated === true;
}

/** Orgs whose settings map OIDC groups to roles (`oidcGroupRoles`), across tenants: ids only. */
export async function oidcGroupRoleOrgs(tx: DbOrTx): Promise<string[]> {
  const rows = await queryRows<{ org_id: string }>(tx, sql`select org_id from portcullis_oidc_group_role_orgs()`);
  return rows.map((r) => r.org_id);
}

/** Whether an unexpired, unused, unrevoked invitation to any org exists for this email (yes or no only). */
export async function hasPendingInvitation(tx: DbOrTx, email: string): Promise<boolean> {
  const row = await queryOne<{ pending: boolean }>(tx, sql`select portcullis_has_pending_invitation(${email}) as pending`);
  return row?.pending === true;
}
