import { z } from 'zod';
import { announce } from '../../credentials/announce.js';
import { HttpError, notFound } from '../../http/errors.js';
import { hasStrongAuth } from '../../identity/strong-auth.js';
import { getOrganization, updateOrganizationSettings } from '../../tenancy/organizations.js';
import { parseOrgSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

const requireStrongAuthForAdmins = z
  .boolean()
  .describe(
    'Admins and owners who sign in must have two-factor (TOTP) on or a passkey to perform admin-level actions ' +
      '(otherwise 403 `strong_auth_required`). Admin tokens are not affected.',
  );

const oidcGroupRoles = z
  .record(z.string().trim().min(1).max(200), z.enum(['admin', 'developer', 'viewer']))
  .refine((mapping) => Object.keys(mapping).length <= 100, 'at most 100 groups')
  .describe(
    'OIDC group -> role in this org, applied at every OIDC sign-in (the highest mapped role wins; a user in none of the groups ' +
      'loses a role granted by the mapping). Never `owner`: ownership is granted by hand. Empty: OIDC groups are ignored.',
  );

const securitySettings = z.object({ requireStrongAuthForAdmins, oidcGroupRoles }).strict();
/** Each field is optional on PUT: an absent one stays as it is. */
const securityUpdate = z
  .object({ requireStrongAuthForAdmins: requireStrongAuthForAdmins.optional(), oidcGroupRoles: oidcGroupRoles.optional() })
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
      summary: 'The org’s sign-in security settings: strong authentication for admins, OIDC group mapping',
      permission: 'org:read',
      params: orgParams,
      status: 200,
      response: securitySettings,
      async handler({ params }) {
        const org = await deps.db.withTenant(params.orgId, (tx) => getOrganization(tx, params.orgId));
        if (!org) throw notFound();
        const settings = parseOrgSettings(org.id, org.settings);
        return { requireStrongAuthForAdmins: settings.requireStrongAuthForAdmins, oidcGroupRoles: settings.oidcGroupRoles };
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
      body: securityUpdate,
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
        const updated = await deps.db.withTenant(params.orgId, async (tx) => {
          const org = await getOrganization(tx, params.orgId);
          if (!org) throw notFound();
          const settings = parseOrgSettings(org.id, org.settings);
          const next = {
            ...settings,
            ...(body.requireStrongAuthForAdmins === undefined ? {} : { requireStrongAuthForAdmins: body.requireStrongAuthForAdmins }),
            ...(body.oidcGroupRoles === undefined ? {} : { oidcGroupRoles: body.oidcGroupRoles }),
          };
          await updateOrganizationSettings(tx, org, next, ctx);
          return next;
        });
        await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return { requireStrongAuthForAdmins: updated.requireStrongAuthForAdmins, oidcGroupRoles: updated.oidcGroupRoles };
      },
    }),
  ];
}
