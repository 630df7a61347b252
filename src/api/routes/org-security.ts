import { z } from 'zod';
import { announce } from '../../credentials/announce.js';
import { HttpError, notFound } from '../../http/errors.js';
import { hasStrongAuth } from '../../identity/strong-auth.js';
import { getOrganization, updateOrganizationSettings } from '../../tenancy/organizations.js';
import { parseOrgSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

const securitySettings = z
  .object({
    requireStrongAuthForAdmins: z
      .boolean()
      .describe(
        'Admins and owners who sign in must have two-factor (TOTP) on or a passkey to perform admin-level actions ' +
          '(otherwise 403 `strong_auth_required`). Admin tokens are not affected.',
      ),
  })
  .strict();

/**
 * The org's sign-in security settings. Turning the requirement on through a session needs the
 * caller to meet it already, so an owner cannot lock themselves out of turning it off again.
 */
export function orgSecurityRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getOrgSecurity',
      method: 'get',
      path: '/api/orgs/:orgId/security',
      tag: 'Organizations',
      summary: 'The org’s sign-in security settings',
      permission: 'org:read',
      params: orgParams,
      status: 200,
      response: securitySettings,
      async handler({ params }) {
        const org = await deps.db.withTenant(params.orgId, (tx) => getOrganization(tx, params.orgId));
        if (!org) throw notFound();
        return { requireStrongAuthForAdmins: parseOrgSettings(org.id, org.settings).requireStrongAuthForAdmins };
      },
    }),
    defineRoute({
      operationId: 'setOrgSecurity',
      method: 'put',
      path: '/api/orgs/:orgId/security',
      tag: 'Organizations',
      summary: 'Set the org’s sign-in security settings',
      description: 'Refused (409 `strong_auth_required`) when a signed-in owner turns the requirement on without meeting it.',
      permission: 'org:write',
      params: orgParams,
      body: securitySettings,
      status: 200,
      response: securitySettings,
      errors: [409],
      async handler({ params, body, principal, ctx }) {
        if (body.requireStrongAuthForAdmins && principal.kind === 'session' && !(await hasStrongAuth(deps.db, principal.userId)))
          throw new HttpError(
            409,
            'invalid_request_error',
            'strong_auth_required',
            'Turn on two-factor authentication or add a passkey first: the requirement would apply to you.',
          );
        await deps.db.withTenant(params.orgId, async (tx) => {
          const org = await getOrganization(tx, params.orgId);
          if (!org) throw notFound();
          const settings = parseOrgSettings(org.id, org.settings);
          await updateOrganizationSettings(tx, org, { ...settings, requireStrongAuthForAdmins: body.requireStrongAuthForAdmins }, ctx);
        });
        await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return body;
      },
    }),
  ];
}
