/**
 * The shapes of the org's trails as the api returns them (audit events, the audit chain head,
 * guardrail events), validated on arrival. Only what the pages show is required.
 */
import { z } from 'zod/mini';

const timestamp = z.string();

export const AUDIT_ACTOR_TYPES = ['user', 'token', 'api_key', 'system'] as const;
export const AUDIT_OUTCOMES = ['success', 'failure'] as const;

export const auditEventSchema = z.object({
  id: z.string(),
  seq: z.number(),
  occurredAt: timestamp,
  actor: z.object({
    type: z.enum(AUDIT_ACTOR_TYPES),
    id: z.nullable(z.string()),
    ip: z.nullable(z.string()),
    userAgent: z.nullable(z.string()),
  }),
  action: z.string(),
  target: z.nullable(z.object({ type: z.string(), id: z.nullable(z.string()) })),
  outcome: z.enum(AUDIT_OUTCOMES),
  reason: z.nullable(z.string()),
  requestId: z.nullable(z.string()),
  diff: z.nullable(z.record(z.string(), z.unknown())),
  hash: z.string(),
});
export type AuditEvent = z.output<typeof auditEventSchema>;
export const auditEventPageSchema = z.object({ events: z.array(auditEventSchema), nextCursor: z.nullable(z.string()) });

export const auditHeadSchema = z.object({
  seq: z.number(),
  hash: z.string(),
  occurredAt: z.nullable(timestamp),
  checkpoint: z.nullable(z.object({ seq: z.number(), hash: z.string(), prunedAt: timestamp })),
});
export type AuditHead = z.output<typeof auditHeadSchema>;

export const chainVerificationSchema = z.object({
  ok: z.boolean(),
  events: z.number(),
  head: z.nullable(z.object({ seq: z.number(), hash: z.string() })),
  broken: z.optional(z.object({ seq: z.number(), reason: z.string() })),
  verifiedAt: timestamp,
});
export type ChainVerification = z.output<typeof chainVerificationSchema>;

/** Members by user id: the audit log names a user actor by id, people read an email. */
export const memberUsersSchema = z.object({ members: z.array(z.object({ userId: z.string(), email: z.string() })) });

export const GUARDRAIL_DETECTORS = ['pii', 'secret', 'injection', 'custom'] as const;
export const GUARDRAIL_ACTIONS = ['log', 'mask', 'redact', 'block'] as const;
export const GUARDRAIL_DIRECTIONS = ['input', 'output'] as const;

/** One finding; the api never sends the matched text, and this schema has no field for it. */
export const guardrailEventSchema = z.object({
  id: z.string(),
  projectId: z.nullable(z.string()),
  apiKeyId: z.nullable(z.string()),
  requestId: z.string(),
  direction: z.enum(GUARDRAIL_DIRECTIONS),
  detector: z.string(),
  rule: z.string(),
  category: z.nullable(z.string()),
  action: z.string(),
  location: z.string(),
  createdAt: timestamp,
});
export type GuardrailEvent = z.output<typeof guardrailEventSchema>;
export const guardrailEventPageSchema = z.object({ events: z.array(guardrailEventSchema), nextCursor: z.nullable(z.string()) });
