/**
 * Builds one user's personal-data archive (see schema.ts). The export is audited first, as
 * `user.data_exported` in the instance chain: it is about the person, not any org's data, so no
 * org's admins are told of it (as with a password change), and the archive then lists its own event.
 */
import { revealEvents } from '../../audit/personal-data.js';
import type { ActionContext } from '../../audit/context.js';
import { recordAudit } from '../../audit/record.js';
import { userMemberships, type Membership } from '../../db/definer.js';
import { invitationsToEmail, userInstanceAuditEvents, type InstanceAuditRow } from '../../db/definer-personal-data.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import type { Tx } from '../../db/types.js';
import { readIdentity } from './identity.js';
import { readOrgData, type Budget } from './org-data.js';
import { PERSONAL_EXPORT_ROW_CAP, type AuditEventView, type PersonalExport } from './schema.js';
import { appendAll } from '../../append-all.js';

const NOTES = [
  'Secrets are never exported: a password, provider tokens, session tokens, passkey keys, the two-factor secret and single-use codes are stored only hashed or encrypted; the archive says whether they exist.',
  'Audit events are those you caused (in the instance chain and in each org you belong to) and those the system recorded about your account (e.g. a failed sign-in with your email). Events in orgs you have left stay in those orgs’ trails.',
  'Request logs are those of your personal API keys; request and response bodies belong to the org and are not included.',
];

export async function collectPersonalData(
  db: ScopedDatabase,
  userId: string,
  ctx: ActionContext,
  now = new Date(),
): Promise<PersonalExport | undefined> {
  await db.withRole((tx) =>
    recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'user.data_exported',
      target: { type: 'user', id: userId },
    }),
  );
  const instance = await db.withRole(async (tx) => {
    const identity = await readIdentity(tx, userId);
    if (!identity) return undefined;
    return {
      identity,
      memberships: await userMemberships(tx, userId),
      invitations: await invitationsToEmail(tx, identity.user.email),
      instanceEvents: await revealInstanceEvents(tx, userId, await userInstanceAuditEvents(tx, userId, PERSONAL_EXPORT_ROW_CAP + 1)),
    };
  });
  if (!instance) return undefined;

  const auditEvents: AuditEventView[] = instance.instanceEvents.map((e) => ({
    orgId: null,
    seq: e.seq,
    occurredAt: e.occurredAt.toISOString(),
    actor: e.actorType === 'user' ? 'you' : 'system',
    action: e.action,
    target: e.targetType === null ? null : { type: e.targetType, id: e.targetId },
    outcome: e.outcome,
    reason: e.reason,
    ip: e.ip,
    userAgent: e.userAgent,
    diff: e.diff,
  }));
  const apiKeys: PersonalExport['apiKeys'] = [];
  const requestLogs: PersonalExport['requestLogs'] = [];
  // Sequential on purpose: one org's transaction at a time (PGlite has a single connection).
  for (const membership of instance.memberships) {
    const budget: Budget = {
      auditEvents: Math.max(0, PERSONAL_EXPORT_ROW_CAP - auditEvents.length),
      requestLogs: Math.max(0, PERSONAL_EXPORT_ROW_CAP - requestLogs.length),
    };
    const part = await readOrgData(db, membership, userId, budget);
    appendAll(apiKeys, part.apiKeys);
    appendAll(auditEvents, part.auditEvents);
    appendAll(requestLogs, part.requestLogs);
  }

  return {
    format: 'portcullis-personal-data/1',
    exportedAt: now.toISOString(),
    ...instance.identity,
    memberships: instance.memberships.map(membershipView),
    invitations: instance.invitations.map((i) => ({
      ...i,
      createdAt: i.createdAt.toISOString(),
      expiresAt: i.expiresAt.toISOString(),
      acceptedAt: i.acceptedAt?.toISOString() ?? null,
      revokedAt: i.revokedAt?.toISOString() ?? null,
    })),
    apiKeys,
    auditEvents: auditEvents.slice(0, PERSONAL_EXPORT_ROW_CAP),
    requestLogs: requestLogs.slice(0, PERSONAL_EXPORT_ROW_CAP),
    truncated: { auditEvents: auditEvents.length > PERSONAL_EXPORT_ROW_CAP, requestLogs: requestLogs.length > PERSONAL_EXPORT_ROW_CAP },
    notes: NOTES,
  };
}

function membershipView(m: Membership): PersonalExport['memberships'][number] {
  return { orgId: m.orgId, orgName: m.orgName, role: m.role, projectAccess: m.projectIds ?? 'all' };
}

/** The user's own sealed values opened; what the events say about others stays closed (null). */
async function revealInstanceEvents(tx: Tx, userId: string, rows: InstanceAuditRow[]): Promise<InstanceAuditRow[]> {
  const stored = rows.map((row) => ({ actorIp: row.ip, userAgent: row.userAgent, diff: row.diff }));
  const open = await revealEvents(tx, stored, { onlyOf: userId });
  return rows.map((row, i) => ({
    ...row,
    ip: open[i]?.actorIp ?? null,
    userAgent: open[i]?.userAgent ?? null,
    diff: open[i]?.diff ?? null,
  }));
}
