/**
 * Typed calls to the SECURITY DEFINER functions of the personal-data export (migration
 * 0021_gdpr_export.sql): the only two reads of it that no tenant scope reaches. Kept apart from
 * definer.ts because only governance/personal-export uses them.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from './rows.js';
import type { DbOrTx } from './types.js';

export type InstanceAuditRow = {
  seq: number;
  occurredAt: Date;
  actorType: string;
  ip: string | null;
  userAgent: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  reason: string | null;
  diff: Record<string, unknown> | null;
};

type RawInstanceAuditRow = {
  seq: number | string;
  occurred_at: Date | string;
  actor_type: string;
  actor_ip: string | null;
  user_agent: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  reason: string | null;
  diff: Record<string, unknown> | string | null;
};

/** Instance-chain events the user caused, or the system recorded about their account; oldest first. */
export async function userInstanceAuditEvents(tx: DbOrTx, userId: string, limit: number): Promise<InstanceAuditRow[]> {
  const rows = await queryRows<RawInstanceAuditRow>(tx, sql`select * from portcullis_user_instance_audit(${userId}, ${limit})`);
  return rows.map((r) => ({
    seq: Number(r.seq),
    occurredAt: new Date(r.occurred_at),
    actorType: r.actor_type,
    ip: r.actor_ip,
    userAgent: r.user_agent,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    outcome: r.outcome,
    reason: r.reason,
    // jsonb comes back parsed from both drivers, except through some node-postgres type settings.
    diff: typeof r.diff === 'string' ? (JSON.parse(r.diff) as Record<string, unknown>) : r.diff,
  }));
}

export type InvitationToUser = {
  orgId: string;
  orgName: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
};

const dateOrNull = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/** Invitations addressed to this email, in any org (at most 1000). */
export async function invitationsToEmail(tx: DbOrTx, email: string): Promise<InvitationToUser[]> {
  const rows = await queryRows<{
    org_id: string;
    org_name: string;
    role: string;
    created_at: Date | string;
    expires_at: Date | string;
    accepted_at: Date | string | null;
    revoked_at: Date | string | null;
  }>(tx, sql`select * from portcullis_user_invitations(${email})`);
  return rows.map((r) => ({
    orgId: r.org_id,
    orgName: r.org_name,
    role: r.role,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    acceptedAt: dateOrNull(r.accepted_at),
    revokedAt: dateOrNull(r.revoked_at),
  }));
}
