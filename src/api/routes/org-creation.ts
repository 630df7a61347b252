/** `POST /api/orgs`: a signed-in user creates an org and becomes its owner (see tenancy/org-creation.ts for who may). */
import { z } from 'zod';
import { ORG_PLANS } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { createOrgForUser } from '../../tenancy/org-creation.js';
import { defineAccountRoute, type AccountRoute } from '../account-registry.js';

export function orgCreationRoutes(deps: { db: ScopedDatabase }): AccountRoute[] {
  return [
    defineAccountRoute({
      operationId: 'createOrganization',
      method: 'post',
      path: '/api/orgs',
      tag: 'Organizations',
      summary: 'Create an organization; you become its owner',
      description:
        'Instance administrators always may; anyone else only while the instance sign-up mode is `open` (403 `org_creation_closed`). ' +
        'Only an instance administrator may choose a plan other than `free` (403 `plan_requires_instance_admin`). Names are unique ' +
        'across the instance, case-insensitively (409 `org_name_taken`).',
      params: z.object({}),
      body: z.strictObject({
        name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters'),
        plan: z.enum(ORG_PLANS).default('free'),
      }),
      status: 201,
      response: z.object({ id: z.uuid(), name: z.string(), plan: z.enum(ORG_PLANS), yourRole: z.literal('owner') }),
      errors: [409],
      async handler({ principal, body, ctx }) {
        const id = await createOrgForUser(deps.db, principal, body, ctx);
        return { id, name: body.name, plan: body.plan, yourRole: 'owner' as const };
      },
    }),
  ];
}
