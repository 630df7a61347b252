import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { auditEvents } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { AUDIT_ACTIONS } from './actions.js';
import { keyringOf } from '../db/tx-keyring.js';
import { hashUnlinkedPersonal, sealPersonal, userKeyFor } from './personal-data.js';
import { sanitizeDiff } from './sanitize-diff.js';

export const auditActorSchema = z.object({
  type: z.enum(['user', 'token', 'api_key', 'system']),
  /** user id, token id, or for system actors `cli@<host>` / `server@<host>`. */
  id: z.string().max(200).nullable(),
  ip: z.string().max(100).nullable().default(null),
  userAgent: z.string().max(500).nullable().default(null),
  /**
   * The person whose key seals `ip` and `userAgent` when the actor is not a user: a failed
   * sign-in names the account it was for. A user actor is always its own person.
   */
  person: z.string().max(200).nullable().default(null),
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
  /**
   * Personal fields of the diff (an email address, a name): stored sealed under `subject`'s key,
   * or as a keyed hash when the subject has no account (src/audit/personal-data.ts).
   */
  personal: z.record(z.string(), z.string().nullable()).nullable().default(null),
  /** The user the personal fields are about: defaults to the acting user. */
  subject: z.string().max(200).nullable().optional(),
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
  const { actorIp, userAgent, personal } = await sealPersonalData(tx, event);
  const sanitized = event.diff ? sanitizeDiff(event.diff) : null;
  const diff = personal ? { ...sanitized, ...personal } : sanitized;
  if (event.orgId === null) {
    await tx.execute(sql`select portcullis_append_instance_audit(
      ${event.actor.type}, ${event.actor.id}, ${actorIp}, ${userAgent}, ${event.action},
      ${event.target?.type ?? null}, ${event.target?.id ?? null}, ${event.outcome}, ${event.reason}, ${event.requestId},
      ${diff === null ? null : JSON.stringify(diff)}::jsonb)`);
    return;
  }
  await tx.insert(auditEvents).values({
    orgId: event.orgId,
    actorType: event.actor.type,
    actorId: event.actor.id,
    actorIp,
    userAgent,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    outcome: event.outcome,
    reason: event.reason,
    requestId: event.requestId,
    diff,
  });
}

type ParsedEvent = z.output<typeof auditEventSchema>;

/**
 * Seals the event's personal data before it is stored (and hashed into the chain): the actor's
 * IP and user agent under the acting person's key, the personal diff fields under the subject's.
 * An event with personal data written through a handle without a keyring is a bug: refused, never
 * stored in clear.
 */
async function sealPersonalData(
  tx: Tx,
  event: ParsedEvent,
): Promise<{ actorIp: string | null; userAgent: string | null; personal: Record<string, string | null> | null }> {
  const { actor } = event;
  // A system event about an account (a failed sign-in, a reset link asked for) protects the
  // requester's IP under that account's key.
  const person = actor.type === 'user' ? actor.id : (actor.person ?? (event.target?.type === 'user' ? event.target.id : null));
  const subject = event.subject === undefined ? (actor.type === 'user' ? actor.id : null) : event.subject;
  const personalFields = Object.entries(event.personal ?? {});
  const needsActorSeal = person !== null && (actor.ip !== null || actor.userAgent !== null);
  if (!needsActorSeal && personalFields.length === 0) return { actorIp: actor.ip, userAgent: actor.userAgent, personal: event.personal };
  const keyring = keyringOf(tx);
  if (!keyring) throw new Error(`audit event ${event.action} carries personal data but this database handle has no master keyring`);
  let actorIp = actor.ip;
  let userAgent = actor.userAgent;
  // No account by that id (a mistyped target, an erased user): nothing to seal under, stored as given.
  const key = needsActorSeal && person !== null ? await userKeyFor(tx, keyring, person) : undefined;
  if (key && person !== null) {
    if (actorIp !== null) actorIp = sealPersonal(key, person, 'actor_ip', actorIp);
    if (userAgent !== null) userAgent = sealPersonal(key, person, 'user_agent', userAgent);
  }
  if (personalFields.length === 0) return { actorIp, userAgent, personal: null };
  const subjectKey = subject === null ? undefined : await userKeyFor(tx, keyring, subject);
  const personal: Record<string, string | null> = {};
  for (const [name, value] of personalFields) {
    if (value === null) personal[name] = null;
    else if (subject === null || subjectKey === undefined) personal[name] = hashUnlinkedPersonal(keyring, value);
    else personal[name] = sealPersonal(subjectKey, subject, `diff.${name}`, value);
  }
  return { actorIp, userAgent, personal };
}
