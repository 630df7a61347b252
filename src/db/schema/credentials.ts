import { sql } from 'drizzle-orm';
import {
  check,
  customType,
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { members, organizations, sameOrgProject } from './tenancy.js';
import { tenantIsolation } from './roles.js';

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

const createdAt = timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/**
 * Per-org data keys, stored only wrapped (AES-256-GCM) by a master key that never touches the
 * database. `master_key_id` is a fingerprint so several master keys can coexist during rotation.
 */
export const tenantKeys = pgTable(
  'tenant_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    masterKeyId: text('master_key_id').notNull(),
    wrappedKey: bytea('wrapped_key').notNull(),
    status: text('status').$type<'active' | 'retired'>().notNull().default('active'),
    createdAt,
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [
    unique('tenant_keys_org_id_id_key').on(t.orgId, t.id),
    // At most one active data key per org: new secrets are always sealed under it.
    uniqueIndex('tenant_keys_one_active_per_org')
      .on(t.orgId)
      .where(sql`status = 'active'`),
    check('tenant_keys_status_check', sql`${t.status} in ('active', 'retired')`),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Upstream provider credentials. Only ciphertext is stored (AAD = org id + row id, so a value
 * copied to another row or tenant does not decrypt); `last4` is the only readable part.
 */
export const providerKeys = pgTable(
  'provider_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    label: text('label').notNull(),
    baseUrl: text('base_url'),
    /** Provider-specific, non-secret settings (e.g. Azure OpenAI apiVersion). */
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    ciphertext: bytea('ciphertext').notNull(),
    tenantKeyId: uuid('tenant_key_id').notNull(),
    last4: text('last4').notNull(),
    createdAt,
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('provider_keys_org_label_key').on(t.orgId, t.provider, t.label),
    unique('provider_keys_org_id_id_key').on(t.orgId, t.id),
    foreignKey({
      name: 'provider_keys_tenant_key_fk',
      columns: [t.orgId, t.tenantKeyId],
      foreignColumns: [tenantKeys.orgId, tenantKeys.id],
    }),
    tenantIsolation(),
  ],
).enableRLS();

/** A provider key with rows here is usable only by those projects; without rows, by the whole org. */
export const providerKeyProjects = pgTable(
  'provider_key_projects',
  {
    orgId: uuid('org_id').notNull(),
    providerKeyId: uuid('provider_key_id').notNull(),
    projectId: uuid('project_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.providerKeyId, t.projectId] }),
    foreignKey({
      name: 'provider_key_projects_key_fk',
      columns: [t.orgId, t.providerKeyId],
      foreignColumns: [providerKeys.orgId, providerKeys.id],
    }).onDelete('cascade'),
    sameOrgProject(t.orgId, t.projectId, 'provider_key_projects_project_fk'),
    index('provider_key_projects_project_idx').on(t.projectId),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Application API keys for /v1. The secret is stored only as a bcrypt hash; `lookup_id` is the
 * public part of the key used to find the row before the org is known.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id').notNull(),
    name: text('name').notNull(),
    kind: text('kind').$type<'live' | 'test'>().notNull(),
    lookupId: text('lookup_id').notNull().unique(),
    secretHash: text('secret_hash').notNull(),
    last4: text('last4').notNull(),
    /** Personal keys die with their member; service keys (null) stay. */
    ownerMemberId: uuid('owner_member_id'),
    /** When set, only these models (`provider/model`, bare names or project aliases) may be requested with this key. */
    allowedModels: text('allowed_models').array(),
    /** When set, requests must come from one of these addresses or CIDR ranges. */
    ipAllowlist: text('ip_allowlist').array(),
    /** Usage and rate limits of this key (see tenancy/limits.ts). */
    limits: jsonb('limits').$type<Record<string, unknown>>().notNull().default({}),
    createdAt,
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /**
     * Rotation keeps the key's identity (its id, limits, usage and logs): the new secret replaces
     * the old one, which keeps working under its own lookup id until previous_expires_at.
     */
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    previousLookupId: text('previous_lookup_id').unique(),
    previousSecretHash: text('previous_secret_hash'),
    previousLast4: text('previous_last4'),
    previousExpiresAt: timestamp('previous_expires_at', { withTimezone: true }),
  },
  (t) => [
    sameOrgProject(t.orgId, t.projectId, 'api_keys_project_fk'),
    foreignKey({ name: 'api_keys_owner_fk', columns: [t.orgId, t.ownerMemberId], foreignColumns: [members.orgId, members.id] }),
    unique('api_keys_project_name_key').on(t.projectId, t.name),
    check('api_keys_kind_check', sql`${t.kind} in ('live', 'test')`),
    tenantIsolation(),
  ],
).enableRLS();

export const ADMIN_TOKEN_ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;

/**
 * Admin tokens for the management api (`pc_admin_…`): the same machinery as API keys (bcrypt,
 * shown once, expiring, revocable), scoped to one org and a role no higher than their creator's.
 */
export const adminTokens = pgTable(
  'admin_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    role: text('role').$type<(typeof ADMIN_TOKEN_ROLES)[number]>().notNull(),
    lookupId: text('lookup_id').notNull().unique(),
    secretHash: text('secret_hash').notNull(),
    last4: text('last4').notNull(),
    /** The member who created it (null: created by the operator through the CLI). */
    createdByMemberId: uuid('created_by_member_id'),
    createdAt,
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [
    unique('admin_tokens_org_name_key').on(t.orgId, t.name),
    foreignKey({ name: 'admin_tokens_creator_fk', columns: [t.orgId, t.createdByMemberId], foreignColumns: [members.orgId, members.id] }),
    check('admin_tokens_role_check', sql`${t.role} in ('owner', 'admin', 'developer', 'viewer')`),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Other per-org secrets (today: the budget-alert webhook signing secret), encrypted like provider
 * keys: AES-256-GCM under the org's data key, AAD = purpose + org id + row id.
 */
export const orgSecrets = pgTable(
  'org_secrets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    ciphertext: bytea('ciphertext').notNull(),
    tenantKeyId: uuid('tenant_key_id').notNull(),
    createdAt,
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('org_secrets_org_kind_key').on(t.orgId, t.kind),
    foreignKey({ name: 'org_secrets_tenant_key_fk', columns: [t.orgId, t.tenantKeyId], foreignColumns: [tenantKeys.orgId, tenantKeys.id] }),
    tenantIsolation(),
  ],
).enableRLS();
