import { z } from 'zod';
import { MEMBER_ROLES, ORG_PLANS } from '../../db/schema/index.js';
import { cancelOrgDeletion, scheduleOrgDeletion } from '../../credentials/org-deletion-schedule.js';
import { notFound } from '../../http/errors.js';
import { getOrganization } from '../../tenancy/organizations.js';
import { orgLimitsSchema } from '../../tenancy/limits.js';
import { parseOrgSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';

const orgViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  plan: z.enum(ORG_PLANS),
  limits: orgLimitsSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  deletionScheduledFor: timestampSchema
    .nullable()
    .meta({ description: 'When the scheduled deletion takes effect (its API keys are refused meanwhile); null when none is scheduled.' }),
  yourRole: z.enum(MEMBER_ROLES).meta({ description: 'The role of the credential making this request.' }),
});

const scheduledDeletionSchema = z.object({
  orgId: z.uuid(),
  name: z.string(),
  deletionScheduledFor: timestampSchema.meta({ description: 'When the org, its keys and its data keys are deleted for good.' }),
  graceDays: z.number().int(),
});

const cancelledDeletionSchema = z.object({
  orgId: z.uuid(),
  name: z.string(),
  cancelledDeletionScheduledFor: timestampSchema,
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
          deletionScheduledFor: org.deletionScheduledFor?.toISOString() ?? null,
          yourRole: role,
        };
      },
    }),
    defineRoute({
      operationId: 'deleteOrganization',
      method: 'delete',
      path: '/api/orgs/:orgId',
      tag: 'Organizations',
      summary: 'Schedule the deletion of the organization (after a grace period, its data keys are destroyed)',
      description:
        '`confirm` must be the exact organization name. Nothing is removed now: the deletion takes effect after ' +
        'ORG_DELETION_GRACE_DAYS (30 by default), when projects, members, API keys, admin tokens, provider keys and the data ' +
        'keys are deleted (stored bodies stay as ciphertext nobody can decrypt). Meanwhile the gateway refuses the org’s API ' +
        'keys (`403 org_deletion_scheduled`), the management api keeps working (export, cancel) and an owner may cancel. ' +
        'Audited `org.deletion_scheduled` in the org’s and the instance’s chain. A second request is `409 deletion_already_scheduled`.',
      permission: 'org:write',
      params: orgParams,
      body: z.object({ confirm: z.string().min(1).max(100) }).strict(),
      status: 202,
      errors: [409],
      response: scheduledDeletionSchema,
      async handler({ params, body, ctx }) {
        const scheduled = await scheduleOrgDeletion(
          deps,
          params.orgId,
          { confirm: body.confirm, graceDays: deps.orgDeletionGraceDays },
          ctx,
        );
        return { ...scheduled, deletionScheduledFor: scheduled.deletionScheduledFor.toISOString() };
      },
    }),
    defineRoute({
      operationId: 'cancelOrganizationDeletion',
      method: 'post',
      path: '/api/orgs/:orgId/deletion/cancel',
      tag: 'Organizations',
      summary: 'Cancel the scheduled deletion of the organization',
      description:
        'The org’s API keys work again at once. Audited `org.deletion_cancelled` in the org’s and the instance’s chain. ' +
        '`409 deletion_not_scheduled` when none is scheduled.',
      permission: 'org:write',
      params: orgParams,
      status: 200,
      errors: [409],
      response: cancelledDeletionSchema,
      async handler({ params, ctx }) {
        const cancelled = await cancelOrgDeletion(deps, params.orgId, ctx);
        return { ...cancelled, cancelledDeletionScheduledFor: cancelled.cancelledDeletionScheduledFor.toISOString() };
      },
    }),
  ];
}
