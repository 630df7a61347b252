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
};

const toDate = (value: unknown): Date | null =>
  value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;

export async function lookupApiKey(tx: DbOrTx, lookupId: string): Promise<ApiKeyLookup | undefined> {
  const row = await queryOne<Record<string, unknown>>(tx, sql`select * from portcullis_lookup_api_key(${lookupId})`);
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
): Promise<void> {
  await tx.execute(sql`select portcullis_record_budget_alert(${orgId}::uuid, ${scope}, ${scopeId}::uuid, ${JSON.stringify(diff)}::jsonb)`);
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

export type Membership = { orgId: string; orgName: string; role: string };

export async function userMemberships(tx: DbOrTx, userId: string): Promise<Membership[]> {
  const rows = await queryRows<{ org_id: string; org_name: string; role: string }>(
    tx,
    sql`select * from portcullis_user_memberships(${userId})`,
  );
  return rows.map((r) => ({ orgId: r.org_id, orgName: r.org_name, role: r.role }));
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
