/**
 * The org's configuration in the export: the organization (settings), projects, members,
 * invitations, API keys, admin tokens, provider keys and guardrail policies. Every select names
 * its columns: secret material (API key and admin token hashes, invitation token hashes, provider
 * key ciphertext, wrapped data keys, org secrets) is never read, so it cannot leak into a line.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import {
  adminTokens,
  apiKeys,
  guardrailPolicies,
  invitations,
  members,
  organizations,
  projects,
  providerKeyProjects,
  providerKeys,
  users,
} from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { mapPages, pagesById } from './pages.js';

const BATCH = 1000;
const iso = (d: Date | null) => d?.toISOString() ?? null;
const after = (column: Parameters<typeof gt>[0], id: string | null) => (id === null ? undefined : gt(column, id));

export type ExportRecord = { type: string } & Record<string, unknown>;

async function* organization(db: ScopedDatabase, orgId: string): AsyncGenerator<ExportRecord[]> {
  const [org] = await db.withTenant(orgId, (tx) =>
    tx
      .select({
        id: organizations.id,
        name: organizations.name,
        plan: organizations.plan,
        settings: organizations.settings,
        deletionScheduledFor: organizations.deletionScheduledFor,
        createdAt: organizations.createdAt,
        updatedAt: organizations.updatedAt,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId)),
  );
  if (!org) return;
  yield [
    {
      type: 'organization',
      ...org,
      deletionScheduledFor: iso(org.deletionScheduledFor),
      createdAt: iso(org.createdAt),
      updatedAt: iso(org.updatedAt),
    },
  ];
}

function projectPages(db: ScopedDatabase, orgId: string) {
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, (tx) =>
      tx
        .select({
          id: projects.id,
          name: projects.name,
          mode: projects.mode,
          settings: projects.settings,
          createdAt: projects.createdAt,
          updatedAt: projects.updatedAt,
        })
        .from(projects)
        .where(and(eq(projects.orgId, orgId), after(projects.id, afterId)))
        .orderBy(asc(projects.id))
        .limit(limit),
    );
  return mapPages(pagesById(read, BATCH), (rows) =>
    rows.map((p): ExportRecord => ({ type: 'project', ...p, createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt) })),
  );
}

function memberPages(db: ScopedDatabase, orgId: string) {
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, (tx) =>
      tx
        .select({
          id: members.id,
          userId: members.userId,
          email: users.email,
          name: users.name,
          role: members.role,
          projectIds: members.projectIds,
          createdAt: members.createdAt,
          updatedAt: members.updatedAt,
        })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(and(eq(members.orgId, orgId), after(members.id, afterId)))
        .orderBy(asc(members.id))
        .limit(limit),
    );
  return mapPages(pagesById(read, BATCH), (rows) =>
    rows.map((m): ExportRecord => ({ type: 'member', ...m, createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt) })),
  );
}

function invitationPages(db: ScopedDatabase, orgId: string) {
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, (tx) =>
      tx
        .select({
          id: invitations.id,
          email: invitations.email,
          role: invitations.role,
          invitedBy: invitations.invitedBy,
          createdAt: invitations.createdAt,
          expiresAt: invitations.expiresAt,
          acceptedAt: invitations.acceptedAt,
          revokedAt: invitations.revokedAt,
        })
        .from(invitations)
        .where(and(eq(invitations.orgId, orgId), after(invitations.id, afterId)))
        .orderBy(asc(invitations.id))
        .limit(limit),
    );
  return mapPages(pagesById(read, BATCH), (rows) =>
    rows.map((i): ExportRecord => ({
      type: 'invitation',
      ...i,
      createdAt: iso(i.createdAt),
      expiresAt: iso(i.expiresAt),
      acceptedAt: iso(i.acceptedAt),
      revokedAt: iso(i.revokedAt),
    })),
  );
}

function apiKeyPages(db: ScopedDatabase, orgId: string) {
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, (tx) =>
      tx
        .select({
          id: apiKeys.id,
          projectId: apiKeys.projectId,
          name: apiKeys.name,
          kind: apiKeys.kind,
          lookupId: apiKeys.lookupId,
          last4: apiKeys.last4,
          ownerMemberId: apiKeys.ownerMemberId,
          allowedModels: apiKeys.allowedModels,
          ipAllowlist: apiKeys.ipAllowlist,
          limits: apiKeys.limits,
          createdAt: apiKeys.createdAt,
          expiresAt: apiKeys.expiresAt,
          revokedAt: apiKeys.revokedAt,
          rotatedAt: apiKeys.rotatedAt,
          previousLookupId: apiKeys.previousLookupId,
          previousLast4: apiKeys.previousLast4,
          previousExpiresAt: apiKeys.previousExpiresAt,
        })
        .from(apiKeys)
        .where(and(eq(apiKeys.orgId, orgId), after(apiKeys.id, afterId)))
        .orderBy(asc(apiKeys.id))
        .limit(limit),
    );
  return mapPages(pagesById(read, BATCH), (rows) =>
    rows.map((k): ExportRecord => ({
      type: 'api_key',
      ...k,
      createdAt: iso(k.createdAt),
      expiresAt: iso(k.expiresAt),
      revokedAt: iso(k.revokedAt),
      rotatedAt: iso(k.rotatedAt),
      previousExpiresAt: iso(k.previousExpiresAt),
    })),
  );
}

function adminTokenPages(db: ScopedDatabase, orgId: string) {
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, (tx) =>
      tx
        .select({
          id: adminTokens.id,
          name: adminTokens.name,
          role: adminTokens.role,
          lookupId: adminTokens.lookupId,
          last4: adminTokens.last4,
          createdByMemberId: adminTokens.createdByMemberId,
          createdAt: adminTokens.createdAt,
          expiresAt: adminTokens.expiresAt,
          revokedAt: adminTokens.revokedAt,
          lastUsedAt: adminTokens.lastUsedAt,
        })
        .from(adminTokens)
        .where(and(eq(adminTokens.orgId, orgId), after(adminTokens.id, afterId)))
        .orderBy(asc(adminTokens.id))
        .limit(limit),
    );
  return mapPages(pagesById(read, BATCH), (rows) =>
    rows.map((t): ExportRecord => ({
      type: 'admin_token',
      ...t,
      createdAt: iso(t.createdAt),
      expiresAt: iso(t.expiresAt),
      revokedAt: iso(t.revokedAt),
      lastUsedAt: iso(t.lastUsedAt),
    })),
  );
}

function providerKeyPages(db: ScopedDatabase, orgId: string) {
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, async (tx) => {
      const keys = await tx
        .select({
          id: providerKeys.id,
          provider: providerKeys.provider,
          label: providerKeys.label,
          baseUrl: providerKeys.baseUrl,
          options: providerKeys.options,
          last4: providerKeys.last4,
          createdAt: providerKeys.createdAt,
          updatedAt: providerKeys.updatedAt,
        })
        .from(providerKeys)
        .where(and(eq(providerKeys.orgId, orgId), after(providerKeys.id, afterId)))
        .orderBy(asc(providerKeys.id))
        .limit(limit);
      const scopes =
        keys.length === 0
          ? []
          : await tx
              .select({ providerKeyId: providerKeyProjects.providerKeyId, projectId: providerKeyProjects.projectId })
              .from(providerKeyProjects)
              .where(
                inArray(
                  providerKeyProjects.providerKeyId,
                  keys.map((k) => k.id),
                ),
              );
      // null: usable by every project; otherwise the projects it is scoped to.
      return keys.map((k) => {
        const projectIds = scopes.filter((s) => s.providerKeyId === k.id).map((s) => s.projectId);
        return { ...k, projectIds: projectIds.length === 0 ? null : projectIds };
      });
    });
  return mapPages(pagesById(read, BATCH), (rows) =>
    rows.map((k): ExportRecord => ({ type: 'provider_key', ...k, createdAt: iso(k.createdAt), updatedAt: iso(k.updatedAt) })),
  );
}

function guardrailPolicyPages(db: ScopedDatabase, orgId: string) {
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, (tx) =>
      tx
        .select({
          id: guardrailPolicies.id,
          projectId: guardrailPolicies.projectId,
          config: guardrailPolicies.config,
          version: guardrailPolicies.version,
          createdAt: guardrailPolicies.createdAt,
          updatedAt: guardrailPolicies.updatedAt,
        })
        .from(guardrailPolicies)
        .where(and(eq(guardrailPolicies.orgId, orgId), after(guardrailPolicies.id, afterId)))
        .orderBy(asc(guardrailPolicies.id))
        .limit(limit),
    );
  return mapPages(pagesById(read, BATCH), (rows) =>
    rows.map((p): ExportRecord => ({ type: 'guardrail_policy', ...p, createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt) })),
  );
}

/** Every configuration section, in the order the export writes them. */
export async function* configurationRecords(db: ScopedDatabase, orgId: string): AsyncGenerator<ExportRecord[]> {
  yield* organization(db, orgId);
  yield* projectPages(db, orgId);
  yield* memberPages(db, orgId);
  yield* invitationPages(db, orgId);
  yield* apiKeyPages(db, orgId);
  yield* adminTokenPages(db, orgId);
  yield* providerKeyPages(db, orgId);
  yield* guardrailPolicyPages(db, orgId);
}
