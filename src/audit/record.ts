import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { auditEvents } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { AUDIT_ACTIONS } from './actions.js';
import { sanitizeDiff } from './sanitize-diff.js';

export const auditActorSchema = z.object({
  type: z.enum(['user', 'token', 'api_key', 'system']),
  /** user id, token id, or for system actors `cli@<host>` / `server@<host>`. */
  id: z.string().max(200).nullable(),
  ip: z.string().max(100).nullable().default(null),
  userAgent: z.string().max(500).nullable().default(null),
});
export type AuditActor = z.input<typeof auditActorSchema>;

export const auditEventSchema = z.object({
  /** null = the instance chain (events before an org is known). */
  orgId: z.uuid().nullable(),
  actor: auditActorSchema,
  action: z.enum(AUDIT_ACTIONS),
  target: z
    .object({ type: z.string().max(50), id: z.string().max(200).nullable() })
    .nullable()
    .default(null),
  outcome: z.enum(['success', 'failure']).default('success'),
  reason: z.string().max(500).nullable().default(null),
  requestId: z.string().max(128).nullable().default(null),
  diff: z.record(z.string(), z.unknown()).nullable().default(null),
});
export type AuditEvent = z.input<typeof auditEventSchema>;

/**
 * Appends one audit event inside the caller's transaction, so the event and the change it records
 * commit or roll back together. Org events must be written inside withTenant(orgId) (RLS checks
 * it); instance events go through the SECURITY DEFINER append function.
 */
export async function recordAudit(tx: Tx, input: AuditEvent): Promise<void> {
  // A malformed event is our bug, not the client's: fail as a 500, not as a validation error.
  const parsed = auditEventSchema.safeParse(input);
  if (!parsed.success)
    throw new Error(`invalid audit event ${String(input.action)}: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const event = parsed.data;
  const diff = event.diff ? sanitizeDiff(event.diff) : null;
  if (event.orgId === null) {
    await tx.execute(sql`select portcullis_append_instance_audit(
      ${event.actor.type}, ${event.actor.id}, ${event.actor.ip}, ${event.actor.userAgent}, ${event.action},
      ${event.target?.type ?? null}, ${event.target?.id ?? null}, ${event.outcome}, ${event.reason}, ${event.requestId},
      ${diff === null ? null : JSON.stringify(diff)}::jsonb)`);
    return;
  }
  await tx.insert(auditEvents).values({
    orgId: event.orgId,
    actorType: event.actor.type,
    actorId: event.actor.id,
    actorIp: event.actor.ip,
    userAgent: event.actor.userAgent,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    outcome: event.outcome,
    reason: event.reason,
    requestId: event.requestId,
    diff,
  });
}
