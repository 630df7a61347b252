/** Data map of the tenancy tables (src/db/schema/tenancy.ts): orgs, their members, projects and invitations. */
import { invitations, members, organizations, projects } from '../../db/schema/index.js';
import { common, describeTable } from './describe.js';

export const tenancyTables = [
  describeTable(organizations, {
    purpose: 'The tenants: each org owns its members, projects, keys, logs and policies.',
    dataSubjects: [],
    retention:
      'Until an owner deletes the org and its grace period (ORG_DELETION_GRACE_DAYS, 30 days by default) has passed, or the operator deletes it at once; the deletion cascades to its projects, members, keys, invitations, policies and data keys (request logs, bodies, guardrail events and audit events stay; see those tables).',
    columns: {
      id: {
        category: 'identifier',
        personalData: false,
        description: 'Random key of the org; the row-level security key of every tenant table.',
      },
      name: {
        category: 'tenant_content',
        personalData: false,
        description: 'The org’s name (a company or team; a sole trader’s org may carry a person’s name).',
      },
      plan: common.operational('free, pro or enterprise; set by the instance admin.'),
      settings: {
        category: 'tenant_content',
        personalData: false,
        description: 'Provider allow/deny lists, limits, budget webhook URL, admin strong-auth rule, OIDC group → role mapping.',
      },
      deletion_scheduled_for: common.operational('When a scheduled deletion of the org takes effect (null: none scheduled).'),
      created_at: common.createdAt(),
      updated_at: common.updatedAt(),
    },
  }),
  describeTable(members, {
    purpose: 'Who belongs to which org, with which role and project access.',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention: 'Until the member leaves or is removed, the user is deleted, or the org is deleted (cascades).',
    columns: {
      id: {
        category: 'identifier',
        personalData: true,
        description: 'Random key of the membership; names the person in api_keys and admin_tokens.',
      },
      org_id: common.orgId(),
      user_id: common.userId(),
      role: common.operational('owner, admin, developer or viewer.', true),
      project_ids: common.operational('Projects a developer or viewer may access (null: all).', true),
      created_at: common.createdAt(true),
      updated_at: common.updatedAt(true),
    },
  }),
  describeTable(projects, {
    purpose: 'Projects of an org: the unit API keys, settings, limits and logs belong to.',
    dataSubjects: [],
    retention: 'Until deleted, or the org is deleted (cascade).',
    columns: {
      id: common.rowId('project'),
      org_id: common.orgId(),
      name: { category: 'tenant_content', personalData: false, description: 'The project’s name.' },
      mode: common.operational('live or test.'),
      settings: {
        category: 'tenant_content',
        personalData: false,
        description: 'Response cache, body logging switch, allowed models, aliases, timeouts, retries, limits.',
      },
      created_at: common.createdAt(),
      updated_at: common.updatedAt(),
    },
  }),
  describeTable(invitations, {
    purpose: 'Invitations to join an org, sent by email with a single-use link.',
    lawfulBasis: 'legitimate_interests',
    dataSubjects: ['invitee', 'account_holder'],
    retention: 'Kept after acceptance, revocation or expiry until the org is deleted (cascade); no sweep yet.',
    columns: {
      id: common.rowId('invitation'),
      org_id: common.orgId(),
      email: { category: 'personal', personalData: true, description: 'The invitee’s email address (lower-cased).' },
      role: common.operational('Role the invitee gets on accepting.', true),
      project_ids: common.operational('Projects an invited developer or viewer will be limited to (null: all).', true),
      token_hash: {
        category: 'credential_secret',
        personalData: false,
        description: 'SHA-256 of the link’s token; the token is never stored.',
      },
      expires_at: common.time('When the link stops working.', true),
      invited_by: { category: 'identifier', personalData: true, description: 'The inviting user; null when an admin token invited.' },
      accepted_at: common.time('When the invitation was accepted.', true),
      revoked_at: common.time('When the invitation was revoked.', true),
      created_at: common.createdAt(true),
    },
  }),
];
