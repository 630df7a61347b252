/** Data map of the credential tables (src/db/schema/credentials.ts): data keys, provider keys, API keys, admin tokens, org secrets. */
import { adminTokens, apiKeys, orgSecrets, providerKeyProjects, providerKeys, tenantKeys } from '../../db/schema/index.js';
import type { ColumnEntry } from './types.js';
import { common, describeTable } from './describe.js';

const last4: ColumnEntry = common.operational('Last four characters of the secret, to tell keys apart; not enough to use or guess it.');
const lookupId = (what: string): ColumnEntry => ({
  category: 'identifier',
  personalData: false,
  description: `Public part of the ${what}, used to find the row before the org is known.`,
});
const bcryptHash = (what: string): ColumnEntry => ({
  category: 'credential_secret',
  personalData: false,
  description: `bcrypt hash of the ${what}’s secret; the secret is shown once and never stored.`,
});

export const credentialTables = [
  describeTable(tenantKeys, {
    purpose: 'Each org’s data keys, which encrypt its provider keys, org secrets and stored bodies (envelope encryption).',
    dataSubjects: [],
    retention:
      'Until the org is deleted (cascade: crypto-shredding of everything sealed under them) or a retired key has nothing left sealed under it after rotation.',
    columns: {
      id: common.rowId('data key'),
      org_id: common.orgId(),
      master_key_id: common.operational('Fingerprint of the master key that wraps this key (several coexist during rotation).'),
      wrapped_key: {
        category: 'credential_secret',
        personalData: false,
        description: 'The data key, wrapped (AES-256-GCM) by a master key that is never in the database.',
      },
      status: common.operational('active or retired (at most one active key per org).'),
      created_at: common.createdAt(),
      retired_at: common.time('When rotation retired the key.'),
    },
  }),
  describeTable(providerKeys, {
    purpose: 'The org’s credentials for upstream LLM providers.',
    dataSubjects: [],
    retention: 'Until deleted by an admin, or the org is deleted (cascade).',
    columns: {
      id: common.rowId('provider key'),
      org_id: common.orgId(),
      provider: common.operational('Which provider (openai, anthropic, …).'),
      label: { category: 'tenant_content', personalData: false, description: 'Name the org gave the key.' },
      base_url: { category: 'tenant_content', personalData: false, description: 'Custom endpoint (Azure, OpenAI-compatible), if any.' },
      options: { category: 'tenant_content', personalData: false, description: 'Non-secret provider settings (e.g. Azure apiVersion).' },
      ciphertext: {
        category: 'credential_secret',
        personalData: false,
        description: 'The provider secret, AES-256-GCM under the org’s data key (AAD: org id and row id).',
      },
      tenant_key_id: common.tenantKeyId(),
      last4,
      created_at: common.createdAt(),
      updated_at: common.updatedAt(),
    },
  }),
  describeTable(providerKeyProjects, {
    purpose: 'Which projects may use a provider key (no rows: the whole org).',
    dataSubjects: [],
    retention: 'Until the provider key or the project is deleted (cascade).',
    columns: {
      org_id: common.orgId(),
      provider_key_id: { category: 'identifier', personalData: false, description: 'The provider key.' },
      project_id: common.projectId(),
    },
  }),
  describeTable(apiKeys, {
    purpose: 'Application API keys that authenticate gateway (/v1) requests, with their limits and restrictions.',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention:
      'Until deleted, or the project or org is deleted (cascade); a personal key is deleted with its member. Revoked and expired keys stay until deleted.',
    columns: {
      id: common.rowId('API key'),
      org_id: common.orgId(),
      project_id: common.projectId(),
      name: { category: 'tenant_content', personalData: false, description: 'Name the org gave the key.' },
      kind: common.operational('live or test.'),
      lookup_id: lookupId('key'),
      secret_hash: bcryptHash('key'),
      last4,
      owner_member_id: {
        category: 'identifier',
        personalData: true,
        description: 'For a personal key, the member it belongs to (deleted with them); null for a service key.',
      },
      allowed_models: { category: 'tenant_content', personalData: false, description: 'Models the key may request, if restricted.' },
      ip_allowlist: {
        category: 'tenant_content',
        personalData: true,
        description: 'Addresses or ranges requests must come from, if restricted; for a personal key this can be a person’s own address.',
      },
      limits: { category: 'tenant_content', personalData: false, description: 'Usage and rate limits of the key.' },
      created_at: common.createdAt(),
      expires_at: common.time('When the key stops working, if set.'),
      revoked_at: common.time('When the key was revoked.'),
      rotated_at: common.time('When the secret was last rotated.'),
      previous_lookup_id: lookupId('previous secret during a rotation’s grace period'),
      previous_secret_hash: bcryptHash('previous secret (rotation grace period)'),
      previous_last4: common.operational('Last four characters of the previous secret.'),
      previous_expires_at: common.time('When the previous secret stops working.'),
    },
  }),
  describeTable(adminTokens, {
    purpose: 'Tokens for the management api (`pc_admin_…`), scoped to one org and a role.',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention: 'Until deleted, or the org is deleted (cascade). Revoked and expired tokens stay until deleted.',
    columns: {
      id: common.rowId('admin token'),
      org_id: common.orgId(),
      name: { category: 'tenant_content', personalData: false, description: 'Name given to the token.' },
      role: common.operational('The role the token acts with.'),
      lookup_id: lookupId('token'),
      secret_hash: bcryptHash('token'),
      last4,
      created_by_member_id: {
        category: 'identifier',
        personalData: true,
        description: 'The member who created it; null when the operator created it through the CLI.',
      },
      created_at: common.createdAt(),
      expires_at: common.time('When the token stops working, if set.'),
      revoked_at: common.time('When the token was revoked.'),
      last_used_at: common.time('When the token was last used.'),
    },
  }),
  describeTable(orgSecrets, {
    purpose: 'Other per-org secrets; today the signing secret of the budget-alert webhook.',
    dataSubjects: [],
    retention: 'Until replaced, or the org is deleted (cascade).',
    columns: {
      id: common.rowId('secret'),
      org_id: common.orgId(),
      kind: common.operational('What the secret is for (budget_webhook).'),
      ciphertext: {
        category: 'credential_secret',
        personalData: false,
        description: 'The secret, AES-256-GCM under the org’s data key (AAD: purpose, org id and row id).',
      },
      tenant_key_id: common.tenantKeyId(),
      created_at: common.createdAt(),
      updated_at: common.updatedAt(),
    },
  }),
];
