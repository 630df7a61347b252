import { z } from 'zod';
import { MEMBER_ROLES, ORG_PLANS } from '../../db/schema/index.js';
import { notFound } from '../../http/errors.js';
import { getOrganization } from '../../tenancy/organizations.js';
import { limitsSchema } from '../../tenancy/limits.js';
import { parseOrgSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';

const orgViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  plan: z.enum(ORG_PLANS),
  limits: limitsSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  yourRole: z.enum(MEMBER_ROLES).meta({ description: 'The role of the credential making this request.' }),
});

export function orgRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getOrganization',
      method: 'get',
      path: '/api/orgs/:orgId',
      tag: 'Organizations',
      summary: 'The organization, its plan and org-wide limits',
      permission: 'org:read',
      params: orgParams,
      status: 200,
      response: orgViewSchema,
      async handler({ params, role }) {
        const org = await deps.db.withTenant(params.orgId, (tx) => getOrganization(tx, params.orgId));
        if (!org) throw notFound();
        return {
          id: org.id,
          name: org.name,
          plan: org.plan,
          limits: parseOrgSettings(org.id, org.settings).limits,
          createdAt: org.createdAt.toISOString(),
          updatedAt: org.updatedAt.toISOString(),
          yourRole: role,
        };
      },
    }),
  ];
}
