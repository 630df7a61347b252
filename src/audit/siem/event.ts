/**
 * What a SIEM receives for one audit event: every stored field, snake_case like the other
 * payloads Portcullis sends (budget alerts), with id and seq so a receiver can drop the
 * duplicates at-least-once delivery may produce, and prev_hash and hash so it can check the chain.
 */
import { z } from 'zod';

const timestamp = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'invalid timestamp' });
    return z.NEVER;
  }
  return date.toISOString();
});

/** One row of portcullis_siem_events(), as either driver returns it (bigint seq may be a string). */
export const siemEventRowSchema = z.object({
  id: z.string(),
  org_id: z.string().nullable(),
  seq: z.union([z.number(), z.string()]).transform(Number).pipe(z.number().int().positive()),
  occurred_at: timestamp,
  actor_type: z.string(),
  actor_id: z.string().nullable(),
  actor_ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  outcome: z.string(),
  reason: z.string().nullable(),
  request_id: z.string().nullable(),
  diff: z.record(z.string(), z.unknown()).nullable(),
  prev_hash: z.string(),
  hash: z.string(),
});

export type SiemEvent = {
  id: string;
  /** null: the instance chain. */
  org_id: string | null;
  /** Position in its chain: events of one chain always arrive in ascending seq. */
  seq: number;
  occurred_at: string;
  actor: { type: string; id: string | null; ip: string | null; user_agent: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  outcome: string;
  reason: string | null;
  request_id: string | null;
  diff: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
};

export function toSiemEvent(raw: unknown): SiemEvent {
  const row = siemEventRowSchema.parse(raw);
  return {
    id: row.id,
    org_id: row.org_id,
    seq: row.seq,
    occurred_at: row.occurred_at,
    actor: { type: row.actor_type, id: row.actor_id, ip: row.actor_ip, user_agent: row.user_agent },
    action: row.action,
    target: row.target_type === null ? null : { type: row.target_type, id: row.target_id },
    outcome: row.outcome,
    reason: row.reason,
    request_id: row.request_id,
    diff: row.diff,
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}
