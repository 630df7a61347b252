import { sql } from 'drizzle-orm';
import { check, foreignKey, index, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { tenantIsolation } from './roles.js';

export const ORG_PLANS = ['free', 'pro', 'enterprise'] as const;
export type OrgPlan = (typeof ORG_PLANS)[number];
export const MEMBER_ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export const PROJECT_MODES = ['live', 'test'] as const;
export type ProjectMode = (typeof PROJECT_MODES)[number];

const createdAt = timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** The tenant. Its own `id` is the RLS key; `plan` is changed only by the instance admin (column grants). */
export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    plan: text('plan').$type<OrgPlan>().notNull().default('free'),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    /**
     * When an owner's deletion takes effect (the grace period's end); null while none is scheduled.
     * Set and cleared by the api; the purge job deletes the org once it has passed.
     */
    deletionScheduledFor: timestamp('deletion_scheduled_for', { withTimezone: true }),
    createdAt,
    updatedAt,
  },
  (t) => [
    uniqueIndex('organizations_name_key').on(sql`lower(${t.name})`),
    check('organizations_plan_check', sql`${t.plan} in ('free', 'pro', 'enterprise')`),
    check('organizations_name_check', sql`length(${t.name}) between 1 and 100`),
    tenantIsolation('id'),
  ],
).enableRLS();

export const members = pgTable(
  'members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<MemberRole>().notNull(),
    /**
     * Project-level access for developers and viewers: the projects they may see and work in, or
     * null for every project of the org. Always null for admins and owners. No foreign key (arrays
     * cannot have one): deleting a project removes its id here (tenancy/projects.ts deleteProject).
     */
    projectIds: uuid('project_ids').array(),
    createdAt,
    updatedAt,
  },
  (t) => [
    unique('members_org_user_key').on(t.orgId, t.userId),
    unique('members_org_id_id_key').on(t.orgId, t.id),
    index('members_user_id_idx').on(t.userId),
    check('members_role_check', sql`${t.role} in ('owner', 'admin', 'developer', 'viewer')`),
    check('members_project_ids_check', sql`${t.projectIds} is null or ${t.role} in ('developer', 'viewer')`),
    tenantIsolation(),
  ],
).enableRLS();

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    mode: text('mode').$type<ProjectMode>().notNull().default('live'),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    createdAt,
    updatedAt,
  },
  (t) => [
    uniqueIndex('projects_org_name_key').on(t.orgId, sql`lower(${t.name})`),
    // Target of composite foreign keys: a child row can only point at a project of its own org,
    // even though foreign-key checks themselves bypass RLS.
    unique('projects_org_id_id_key').on(t.orgId, t.id),
    check('projects_mode_check', sql`${t.mode} in ('live', 'test')`),
    check('projects_name_check', sql`length(${t.name}) between 1 and 100`),
    tenantIsolation(),
  ],
).enableRLS();

/** Helper for composite (org_id, project_id) foreign keys. */
export function sameOrgProject(
  orgId: Parameters<typeof foreignKey>[0]['columns'][number],
  projectId: Parameters<typeof foreignKey>[0]['columns'][number],
  name: string,
) {
  return foreignKey({ name, columns: [orgId, projectId], foreignColumns: [projects.orgId, projects.id] }).onDelete('cascade');
}

/**
 * Invitations to join an org by email. Only a SHA-256 hash of the link's token is stored; a link
 * is single use (`accepted_at`), expires, and can be revoked. Found by token before the org is
 * known through a SECURITY DEFINER lookup (migration 0013), otherwise tenant-scoped like the rest.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role').$type<MemberRole>().notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** The inviting user; null when an admin token invited (the audit event names the token). */
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    /**
     * The projects the invited developer or viewer will be limited to (members.project_ids once
     * accepted), or null for every project. Always null for admin and owner invitations.
     */
    projectIds: uuid('project_ids').array(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt,
  },
  (t) => [
    uniqueIndex('invitations_token_hash_key').on(t.tokenHash),
    index('invitations_org_id_idx').on(t.orgId),
    check('invitations_role_check', sql`${t.role} in ('owner', 'admin', 'developer', 'viewer')`),
    check('invitations_project_ids_check', sql`${t.projectIds} is null or ${t.role} in ('developer', 'viewer')`),
    check('invitations_email_check', sql`${t.email} = lower(${t.email}) and length(${t.email}) between 3 and 254`),
    tenantIsolation(),
  ],
).enableRLS();
