/**
 * What the gateway needs to know about the caller's org and project to serve a request: plan,
 * settings and the provider keys the project may use (never their secrets: those are decrypted
 * separately and on demand). Loaded through the gateway role under RLS, cached in memory.
 */
import { and, eq } from 'drizzle-orm';
import { organizations, projects, providerKeyProjects, providerKeys } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import type { OrgPlan, ProjectMode } from '../../db/schema/index.js';
import type { ProviderId } from '../../providers/ids.js';
import { PROVIDER_IDS } from '../../providers/ids.js';
import { loadGuardrails, type LoadedGuardrails } from '../guardrails/loaded-guardrails.js';
import { parseOrgSettings, parseProjectSettings, type OrgSettings, type ProjectSettings } from '../../tenancy/settings.js';

export type ProviderKeyRef = {
  id: string;
  provider: ProviderId;
  label: string;
  baseUrl: string | null;
  options: Readonly<Record<string, unknown>>;
  /** Scoped to this project (preferred over org-wide keys of the same provider). */
  projectScoped: boolean;
};

export type ProjectContext = {
  orgId: string;
  projectId: string;
  projectMode: ProjectMode;
  plan: OrgPlan;
  orgSettings: OrgSettings;
  projectSettings: ProjectSettings;
  providerKeys: readonly ProviderKeyRef[];
  /** The effective guardrail policy (org policy + project override), custom rules compiled. */
  guardrails: LoadedGuardrails;
  /**
   * When the org's scheduled deletion takes effect, or null. While set, its API keys are refused
   * (gateway/app.ts): cached with the context, so scheduling and cancelling reach every replica
   * through `org.changed` like any other org change.
   */
  orgDeletionScheduledFor: Date | null;
};

export class ProjectNotFoundError extends Error {
  constructor(readonly projectId: string) {
    super(`project ${projectId} not found`);
    this.name = 'ProjectNotFoundError';
  }
}

const isProviderId = (value: string): value is ProviderId => (PROVIDER_IDS as readonly string[]).includes(value);

export async function loadProjectContext(db: ScopedDatabase, orgId: string, projectId: string): Promise<ProjectContext> {
  return db.withTenant(orgId, async (tx) => {
    const [org] = await tx
      .select({ plan: organizations.plan, settings: organizations.settings, deletionScheduledFor: organizations.deletionScheduledFor })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    const [project] = await tx
      .select({ mode: projects.mode, settings: projects.settings })
      .from(projects)
      .where(and(eq(projects.orgId, orgId), eq(projects.id, projectId)));
    if (!org || !project) throw new ProjectNotFoundError(projectId);
    const keys = await tx
      .select({
        id: providerKeys.id,
        provider: providerKeys.provider,
        label: providerKeys.label,
        baseUrl: providerKeys.baseUrl,
        options: providerKeys.options,
      })
      .from(providerKeys)
      .where(eq(providerKeys.orgId, orgId));
    const scopes = await tx
      .select({ providerKeyId: providerKeyProjects.providerKeyId, projectId: providerKeyProjects.projectId })
      .from(providerKeyProjects);
    const scopedTo = new Map<string, Set<string>>();
    for (const s of scopes) {
      let set = scopedTo.get(s.providerKeyId);
      if (!set) scopedTo.set(s.providerKeyId, (set = new Set()));
      set.add(s.projectId);
    }
    const usable: ProviderKeyRef[] = [];
    for (const key of keys) {
      if (!isProviderId(key.provider)) continue;
      const scope = scopedTo.get(key.id);
      if (scope && !scope.has(projectId)) continue; // scoped to other projects
      usable.push({
        id: key.id,
        provider: key.provider,
        label: key.label,
        baseUrl: key.baseUrl,
        options: key.options,
        projectScoped: scope !== undefined,
      });
    }
    // Project-scoped keys first: a project's own key wins over the org's shared one.
    usable.sort((a, b) => Number(b.projectScoped) - Number(a.projectScoped) || a.label.localeCompare(b.label));
    return {
      orgId,
      projectId,
      projectMode: project.mode,
      plan: org.plan,
      orgSettings: parseOrgSettings(orgId, org.settings),
      projectSettings: parseProjectSettings(projectId, project.settings),
      providerKeys: usable,
      guardrails: await loadGuardrails(tx, orgId, projectId),
      orgDeletionScheduledFor: org.deletionScheduledFor,
    };
  });
}
