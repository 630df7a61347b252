import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { ActionContext } from '../../audit/context.js';
import { announce } from '../../credentials/announce.js';
import { canonicalJson } from '../../gateway/cache/canonical-json.js';
import { projects } from '../../db/schema/index.js';
import { notFound } from '../../http/errors.js';
import { limitsSchema, orgLimitsSchema } from '../../tenancy/limits.js';
import { getOrganization, updateOrganizationSettings } from '../../tenancy/organizations.js';
import { updateProjectSettings } from '../../tenancy/projects.js';
import { parseOrgSettings, parseProjectSettings, type OrgSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams, projectParams } from '../schemas.js';

const limitsResponseSchema = z.object({ limits: limitsSchema });
const orgLimitsResponseSchema = z.object({ limits: orgLimitsSchema });
const failOpenSchema = z
  .object({
    limitsFailOpen: z.boolean().meta({
      description:
        'When the counter store (Redis) is unreachable: false (the default) refuses spend-limited requests with 503 ' +
        '`usage_store_unavailable`; true lets them through unreserved (their request logs rebuild the counters later). ' +
        'Rate limits keep limiting per process either way.',
    }),
  })
  .strict();

/**
 * Limits replace the previous ones as a whole (PUT), audited with the settings diff in the same
 * transaction; `org.changed` afterwards makes every gateway replica reload the org's policy.
 */
export function limitRoutes(deps: ApiDeps): ApiRoute[] {
  /** Replaces part of the org's settings; an unchanged value writes nothing and audits nothing. */
  async function updateOrgSettings(orgId: string, patch: Partial<OrgSettings>, ctx: ActionContext): Promise<void> {
    const changed = await deps.db.withTenant(orgId, async (tx) => {
      const org = await getOrganization(tx, orgId);
      if (!org) throw notFound();
      const settings = parseOrgSettings(org.id, org.settings);
      const next = { ...settings, ...patch };
      if (canonicalJson(next) === canonicalJson(settings)) return false;
      return updateOrganizationSettings(tx, org, next, ctx);
    });
    if (changed) await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);
  }

  return [
    defineRoute({
      operationId: 'setOrgLimits',
      method: 'put',
      path: '/api/orgs/:orgId/limits',
      tag: 'Usage and limits',
      summary: 'Replace the org-wide usage, rate and concurrency limits',
      description:
        '`maxConcurrentRequests` caps the org’s requests in progress at once across all gateway replicas (429 `concurrency_limit_exceeded` beyond it); omitted or null means unlimited.',
      permission: 'limits:write',
      params: orgParams,
      body: orgLimitsSchema,
      status: 200,
      response: orgLimitsResponseSchema,
      async handler({ params, body, ctx }) {
        await updateOrgSettings(params.orgId, { limits: body }, ctx);
        return { limits: body };
      },
    }),
    defineRoute({
      operationId: 'getOrgLimitsFailOpen',
      method: 'get',
      path: '/api/orgs/:orgId/limits/fail-open',
      tag: 'Usage and limits',
      summary: 'Whether spend limits fail open while the counter store is unreachable',
      permission: 'org:read',
      params: orgParams,
      status: 200,
      response: failOpenSchema,
      async handler({ params }) {
        const org = await deps.db.withTenant(params.orgId, (tx) => getOrganization(tx, params.orgId));
        if (!org) throw notFound();
        return { limitsFailOpen: parseOrgSettings(org.id, org.settings).limitsFailOpen };
      },
    }),
    defineRoute({
      operationId: 'setOrgLimitsFailOpen',
      method: 'put',
      path: '/api/orgs/:orgId/limits/fail-open',
      tag: 'Usage and limits',
      summary: 'Choose availability or hard budgets for when the counter store is unreachable',
      description: 'Owners and admins. Audited `org.updated` with the settings diff; every gateway replica applies it at its next request.',
      permission: 'limits:write',
      params: orgParams,
      body: failOpenSchema,
      status: 200,
      response: failOpenSchema,
      async handler({ params, body, ctx }) {
        await updateOrgSettings(params.orgId, { limitsFailOpen: body.limitsFailOpen }, ctx);
        return { limitsFailOpen: body.limitsFailOpen };
      },
    }),
    defineRoute({
      operationId: 'setProjectLimits',
      method: 'put',
      path: '/api/orgs/:orgId/projects/:projectId/limits',
      tag: 'Usage and limits',
      summary: 'Replace the usage and rate limits of a project',
      permission: 'limits:write',
      params: projectParams,
      body: limitsSchema,
      status: 200,
      response: limitsResponseSchema,
      async handler({ params, body, ctx }) {
        const changed = await deps.db.withTenant(params.orgId, async (tx) => {
          const [project] = await tx.select().from(projects).where(eq(projects.id, params.projectId)).limit(1);
          if (!project) throw notFound('Project not found', 'project_not_found');
          const settings = parseProjectSettings(project.id, project.settings);
          if (canonicalJson(settings.limits) === canonicalJson(body)) return false;
          return updateProjectSettings(tx, project, { ...settings, limits: body }, ctx);
        });
        if (changed) await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return { limits: body };
      },
    }),
  ];
}
