import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { bytea } from './credentials.js';
import { tenantIsolation } from './roles.js';

/**
 * Append-only audit trail. `org_id` null = the instance chain (events before an org is known).
 * No foreign key to organizations: the trail must outlive the org, and a cascading delete would
 * let a role without DELETE on this table remove rows indirectly.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id'),
    occurredAt: timestamp('occurred_at', { withTimezone: true })
      .notNull()
      .default(sql`clock_timestamp()`),
    actorType: text('actor_type').$type<'user' | 'token' | 'api_key' | 'system'>().notNull(),
    actorId: text('actor_id'),
    actorIp: text('actor_ip'),
    userAgent: text('user_agent'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    outcome: text('outcome').$type<'success' | 'failure'>().notNull(),
    reason: text('reason'),
    requestId: text('request_id'),
    diff: jsonb('diff').$type<Record<string, unknown>>(),
    /**
     * The hash chain (migration 0020's trigger fills these on every insert, whatever the writer
     * sends): position in the org's chain (the instance's when org_id is null), the previous
     * event's hash, and SHA-256 over that hash and this event's canonical JSON.
     */
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    prevHash: text('prev_hash').notNull().default(''),
    hash: text('hash').notNull().default(''),
  },
  (t) => [
    index('audit_events_org_time_idx').on(t.orgId, t.occurredAt),
    unique('audit_events_chain_seq_key').on(t.orgId, t.seq).nullsNotDistinct(),
    check('audit_events_outcome_check', sql`${t.outcome} in ('success', 'failure')`),
    check('audit_events_actor_type_check', sql`${t.actorType} in ('user', 'token', 'api_key', 'system')`),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * The last link of each audit chain (`instance`, or an org id), locked by the chain trigger so
 * that concurrent appends to one chain take consecutive positions. Only the trigger's owner
 * (portcullis_definer) may touch it: no service role has any grant on it.
 */
export const auditChainHeads = pgTable('audit_chain_heads', {
  chain: text('chain').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * What retention pruning removed from a chain: every event up to `seq`, whose hash was `hash`,
 * signed (Ed25519) by the instance's checkpoint key, so `portcullis audit verify` can start the
 * chain from here once the events themselves are gone. Written only by the prune function.
 */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** null = the instance chain. */
    orgId: uuid('org_id'),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    prunedAt: timestamp('pruned_at', { withTimezone: true }).notNull(),
    /** base64 Ed25519 signature over the checkpoint's canonical JSON (src/audit/checkpoint-signing.ts). */
    signature: text('signature').notNull(),
    /** First 16 hex characters of SHA-256 over the signing key's SPKI DER. */
    keyId: text('key_id').notNull(),
  },
  (t) => [unique('audit_checkpoints_chain_seq_key').on(t.orgId, t.seq).nullsNotDistinct(), tenantIsolation()],
).enableRLS();

// ---- SIEM delivery (src/audit/siem/) ----------------------------------------------------------

/**
 * How far each SIEM sink (`webhook`, `stdout`) has delivered each audit chain (`instance` or an
 * org id): the events of a chain with seq > last_seq are its outbox. Chains append under a lock
 * held to commit, so a committed seq is never followed by a smaller one and a cursor never
 * passes an event that commits later. Retries back off through attempts and next_attempt_at;
 * a replica holds a chain while it sends through the lease. Only the definer functions of
 * migration 0022 touch it: no service role has a grant on it.
 */
export const siemCursors = pgTable(
  'siem_cursors',
  {
    sink: text('sink').notNull(),
    chain: text('chain').notNull(),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    /** null: due now. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    /** Status code or short reason of the last failure; never a response body or a secret. */
    lastError: text('last_error'),
    leaseOwner: uuid('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sink, t.chain] })],
);

// ---- Per-user keys for personal data inside audit events (src/audit/personal-data.ts) ---------

/**
 * One random AES-256 key per user, wrapped by the master key like an org's data keys. The actor
 * IP, user agent and the personal fields of every audit event about a user are sealed under it
 * from the first write. Erasing the user deletes this row (the foreign key cascades), which
 * leaves those values as ciphertext nobody can open: the events turn pseudonymous while their
 * stored bytes, and so the hash chain, stay exactly as they were.
 */
export const userDataKeys = pgTable('user_data_keys', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  masterKeyId: text('master_key_id').notNull(),
  wrappedKey: bytea('wrapped_key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
