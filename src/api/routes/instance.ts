/**
 * `/api/instance…`: instance administration, for signed-in instance admins (account routes: an
 * admin token belongs to one org and never reaches these). Everyone else gets 403
 * `instance_admin_required`; the database functions behind each change check it again.
 */
import { z } from 'zod';
import type { SessionPrincipal } from '../../auth/principal.js';
import { ORG_PLANS, SIGNUP_MODES } from '../../db/schema/index.js';
import {
  changeSignupMode,
  getSignupMode,
  grantAdmin,
  instanceAdminRequired,
  listInstanceAdmins,
  listOrganizations,
  revokeAdmin,
  setPlan,
  type InstanceAdminView,
} from '../../tenancy/instance.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { defineAccountRoute, type AccountRoute } from '../account-registry.js';
import { noContent } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';
import type { SecurityAlerts } from '../../alerts/service.js';
import { signalInstanceAdminGranted } from '../../alerts/hooks.js';

export type InstanceDeps = { db: ScopedDatabase; securityAlerts?: SecurityAlerts };

const TAG = 'Instance';
const noParams = z.object({});
const planSchema = z.enum(ORG_PLANS);
const userParams = z.object({ userId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a user id') });

const settingsSchema = z.strictObject({
  signupMode: z
    .enum(SIGNUP_MODES)
    .describe(
      '`invite_only`: accounts come from the setup link and invitations. `open`: anyone may sign up and create an org (on the free plan).',
    ),
});

const adminView = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  grantedAt: timestampSchema,
  grantedBy: z.string().nullable().describe('The user id of the admin who granted it; null for the first admin (the setup link).'),
});

const adminOut = (a: InstanceAdminView) => ({
  userId: a.userId,
  email: a.email,
  name: a.name,
  grantedAt: a.grantedAt.toISOString(),
  grantedBy: a.grantedBy,
});

const grantBody = z.union([
  z.strictObject({ userId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a user id') }),
  z.strictObject({ email: z.email('expected an email address').max(254) }),
]);

function requireAdmin(principal: SessionPrincipal): void {
  if (!principal.instanceAdmin) throw instanceAdminRequired();
}

export function instanceRoutes(deps: InstanceDeps): AccountRoute[] {
  return [
    defineAccountRoute({
      operationId: 'getInstanceSettings',
      method: 'get',
      path: '/api/instance/settings',
      tag: TAG,
      summary: 'Instance settings (the sign-up mode)',
      description: 'Instance administrators only (403 `instance_admin_required`).',
      params: noParams,
      status: 200,
      response: settingsSchema,
      async handler({ principal }) {
        requireAdmin(principal);
        return { signupMode: await getSignupMode(deps.db) };
      },
    }),
    defineAccountRoute({
      operationId: 'updateInstanceSettings',
      method: 'put',
      path: '/api/instance/settings',
      tag: TAG,
      summary: 'Set the sign-up mode',
      description: 'Instance administrators only. Audited `instance.signup_mode_changed` in the instance audit chain.',
      params: noParams,
      body: settingsSchema,
      status: 200,
      response: settingsSchema,
      async handler({ principal, body, ctx }) {
        requireAdmin(principal);
        return { signupMode: await changeSignupMode(deps.db, principal.userId, body.signupMode, ctx) };
      },
    }),
    defineAccountRoute({
      operationId: 'listInstanceOrganizations',
      method: 'get',
      path: '/api/instance/orgs',
      tag: TAG,
      summary: 'Every organization of the instance, with its plan and member count',
      description: 'Instance administrators only.',
      params: noParams,
      status: 200,
      response: z.object({
        orgs: z.array(
          z.object({ id: z.uuid(), name: z.string(), plan: planSchema, createdAt: timestampSchema, members: z.number().int() }),
        ),
      }),
      async handler({ principal }) {
        requireAdmin(principal);
        const orgs = await listOrganizations(deps.db, principal.userId);
        return { orgs: orgs.map((o) => ({ ...o, plan: planSchema.parse(o.plan), createdAt: o.createdAt.toISOString() })) };
      },
    }),
    defineAccountRoute({
      operationId: 'setOrganizationPlan',
      method: 'put',
      path: '/api/instance/orgs/:orgId/plan',
      tag: TAG,
      summary: "Set an organization's plan",
      description:
        'Instance administrators only, and never for an organization they are a member of (403 `own_org_plan`): an owner does not ' +
        'set their own plan. Another instance administrator, or the operator with `portcullis orgs set-plan`, does. Audited ' +
        '`org.plan_changed` in the organization’s audit chain.',
      params: orgParams,
      body: z.strictObject({ plan: planSchema }),
      status: 200,
      response: z.object({ id: z.uuid(), name: z.string(), plan: planSchema, previousPlan: planSchema }),
      async handler({ principal, params, body, ctx }) {
        requireAdmin(principal);
        return setPlan(deps.db, params.orgId, body.plan, ctx, principal.userId);
      },
    }),
    defineAccountRoute({
      operationId: 'listInstanceAdmins',
      method: 'get',
      path: '/api/instance/admins',
      tag: TAG,
      summary: 'The instance administrators',
      description: 'Instance administrators only.',
      params: noParams,
      status: 200,
      response: z.object({ admins: z.array(adminView) }),
      async handler({ principal }) {
        requireAdmin(principal);
        return { admins: (await listInstanceAdmins(deps.db)).map(adminOut) };
      },
    }),
    defineAccountRoute({
      operationId: 'grantInstanceAdmin',
      method: 'post',
      path: '/api/instance/admins',
      tag: TAG,
      summary: 'Make an existing user an instance administrator',
      description:
        '`{email}` or `{userId}`. 404 `no_user` when no such user exists, 409 `already_admin` when they are one. ' +
        'Audited `instance.admin_granted` in the instance audit chain.',
      params: noParams,
      body: grantBody,
      status: 201,
      response: adminView,
      errors: [404, 409],
      async handler({ principal, body, ctx }) {
        requireAdmin(principal);
        const granted = await grantAdmin(deps.db, principal.userId, body, ctx);
        signalInstanceAdminGranted(deps.securityAlerts, deps.db, { userId: granted.userId, byUserId: principal.userId, actor: ctx.actor });
        return adminOut(granted);
      },
    }),
    defineAccountRoute({
      operationId: 'revokeInstanceAdmin',
      method: 'delete',
      path: '/api/instance/admins/:userId',
      tag: TAG,
      summary: 'Remove an instance administrator',
      description:
        'The user keeps their account and memberships. 404 when they are no instance administrator; 409 `last_admin` for the ' +
        'last one (the instance always keeps one). Applies from their next request. Audited `instance.admin_revoked`.',
      params: userParams,
      status: 204,
      response: noContent,
      errors: [409],
      async handler({ principal, params, ctx }) {
        requireAdmin(principal);
        await revokeAdmin(deps.db, principal.userId, params.userId, ctx);
        return undefined;
      },
    }),
  ];
}
