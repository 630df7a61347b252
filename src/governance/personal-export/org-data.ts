/**
 * The per-org half of a personal-data export: in each org the user belongs to (one withTenant
 * transaction per org, so RLS keeps every read inside it), their personal API keys, the org-chain
 * audit events they caused, and the request logs of those keys. Orgs they have left are not
 * read: what they did there stays in that org's own trail.
 */
import { revealEvents } from '../../audit/personal-data.js';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Membership } from '../../db/definer.js';
import { apiKeys, auditEvents, members, requestLogs } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import type { PersonalExport } from './schema.js';

type OrgPart = Pick<PersonalExport, 'apiKeys' | 'auditEvents' | 'requestLogs'>;

/** Rows still allowed per list, shared across orgs; a read asks for one more to learn whether it was cut. */
export type Budget = { auditEvents: number; requestLogs: number };

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

export async function readOrgData(db: ScopedDatabase, membership: Membership, userId: string, budget: Budget): Promise<OrgPart> {
  const { orgId } = membership;
  return db.withTenant(orgId, async (tx) => {
    const [member] = await tx
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.orgId, orgId), eq(members.userId, userId)));
    const keys = member
      ? await tx
          .select({
            id: apiKeys.id,
            orgId: apiKeys.orgId,
            projectId: apiKeys.projectId,
            name: apiKeys.name,
            kind: apiKeys.kind,
            last4: apiKeys.last4,
            createdAt: apiKeys.createdAt,
            expiresAt: apiKeys.expiresAt,
            revokedAt: apiKeys.revokedAt,
            rotatedAt: apiKeys.rotatedAt,
          })
          .from(apiKeys)
          .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.ownerMemberId, member.id)))
          .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
      : [];
    const stored = await tx
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.actorType, 'user'), eq(auditEvents.actorId, userId)))
      .orderBy(asc(auditEvents.seq))
      .limit(budget.auditEvents + 1);
    const events = await revealEvents(tx, stored, { onlyOf: userId });
    const logs =
      keys.length === 0
        ? []
        : await tx
            .select({
              orgId: requestLogs.orgId,
              projectId: requestLogs.projectId,
              apiKeyId: requestLogs.apiKeyId,
              requestId: requestLogs.requestId,
              createdAt: requestLogs.createdAt,
              endpoint: requestLogs.endpoint,
              model: requestLogs.model,
              servedModel: requestLogs.servedModel,
              provider: requestLogs.provider,
              status: requestLogs.status,
              errorCode: requestLogs.errorCode,
              latencyMs: requestLogs.latencyMs,
              inputTokens: requestLogs.inputTokens,
              outputTokens: requestLogs.outputTokens,
              costMicroUsd: requestLogs.costMicroUsd,
              cacheStatus: requestLogs.cacheStatus,
              usageSource: requestLogs.usageSource,
            })
            .from(requestLogs)
            .where(
              and(
                eq(requestLogs.orgId, orgId),
                inArray(
                  requestLogs.apiKeyId,
                  keys.map((k) => k.id),
                ),
              ),
            )
            .orderBy(asc(requestLogs.createdAt), asc(requestLogs.id))
            .limit(budget.requestLogs + 1);
    return {
      apiKeys: keys.map((k) => ({
        ...k,
        createdAt: iso(k.createdAt),
        expiresAt: isoOrNull(k.expiresAt),
        revokedAt: isoOrNull(k.revokedAt),
        rotatedAt: isoOrNull(k.rotatedAt),
      })),
      auditEvents: events.map((e) => ({
        orgId,
        seq: e.seq,
        occurredAt: iso(e.occurredAt),
        actor: 'you' as const,
        action: e.action,
        target: e.targetType === null ? null : { type: e.targetType, id: e.targetId },
        outcome: e.outcome,
        reason: e.reason,
        ip: e.actorIp,
        userAgent: e.userAgent,
        diff: e.diff,
      })),
      requestLogs: logs.map((l) => ({ ...l, createdAt: iso(l.createdAt) })),
    };
  });
}
