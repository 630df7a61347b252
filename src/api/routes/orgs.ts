import { z } from 'zod';
import { MEMBER_ROLES, ORG_PLANS } from '../../db/schema/index.js';
import { deleteOrganization } from '../../credentials/org-deletion.js';
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

const countsSchema = z.object({
  projects: z.number().int(),
  members: z.number().int(),
  apiKeys: z.number().int(),
  adminTokens: z.number().int(),
  providerKeys: z.number().int(),
  orgSecrets: z.number().int(),
  dataKeys: z.number().int(),
});

const orgDeletionSchema = z.object({
  orgId: z.uuid(),
  name: z.string(),
  deleted: countsSchema,
  shreddedRequestBodies: z
    .number()
    .int()
    .meta({ description: 'Stored request/response bodies left behind, encrypted under data keys that no longer exist: unreadable.' }),
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
    defineRoute({
      operationId: 'deleteOrganization',
      method: 'delete',
      path: '/api/orgs/:orgId',
      tag: 'Organizations',
      summary: 'Delete the organization and destroy its data keys (crypto-shredding)',
      description:
        'Removes projects, members, API keys, admin tokens, provider keys and the data keys. Stored bodies and request logs ' +
        'have no foreign key and stay, but without a data key the bodies can never be decrypted again. Audit events stay, and ' +
        'the deletion is also recorded in the instance audit chain. `confirm` must be the exact organization name.',
      permission: 'org:write',
      params: orgParams,
      body: z.object({ confirm: z.string().min(1).max(100) }).strict(),
      status: 200,
      response: orgDeletionSchema,
      async handler({ params, body, ctx }) {
        const summary = await deleteOrganization(deps, params.orgId, body.confirm, ctx);
        // This replica at once; the others when org.changed reaches them.
        deps.authenticator.forgetOrg(params.orgId);
        return summary;
      },
    }),
  ];
}
