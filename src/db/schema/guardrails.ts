import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { organizations, sameOrgProject } from './tenancy.js';
import { tenantIsolation } from './roles.js';

/** Org-wide policy (project_id null) and per-project overrides; `version` keys the response cache. */
export const guardrailPolicies = pgTable(
  'guardrail_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('guardrail_policies_scope_key').on(t.orgId, t.projectId).nullsNotDistinct(),
    sameOrgProject(t.orgId, t.projectId, 'guardrail_policies_project_fk'),
    tenantIsolation(),
  ],
).enableRLS();

/** What a detector found and did. Never the matched text: only type, where, offsets, action and a keyed hash. */
export const guardrailEvents = pgTable(
  'guardrail_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    projectId: uuid('project_id'),
    apiKeyId: uuid('api_key_id'),
    requestId: text('request_id').notNull(),
    direction: text('direction').$type<'input' | 'output'>().notNull(),
    detector: text('detector').notNull(),
    findingType: text('finding_type').notNull(),
    category: text('category'),
    action: text('action').notNull(),
    /** Value-free path of the text the finding is in (`messages[1].content[0].text`, `output`). */
    location: text('location').notNull().default(''),
    /** `[start, end)` offsets into the text at `location` (JavaScript string indices). */
    startOffset: integer('start_offset').notNull().default(0),
    endOffset: integer('end_offset').notNull().default(0),
    /** HMAC-SHA256 (hex) of the matched text under the org's guardrail hash key: correlates repeats, reveals nothing. */
    valueHash: text('value_hash').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('guardrail_events_org_time_idx').on(t.orgId, t.createdAt),
    // Listing a project's events newest first (the api's projectId filter, and every list of a
    // member limited to some projects) without scanning the whole org's history.
    index('guardrail_events_project_time_idx').on(t.orgId, t.projectId, t.createdAt),
    check('guardrail_events_direction_check', sql`${t.direction} in ('input', 'output')`),
    tenantIsolation(),
  ],
).enableRLS();
