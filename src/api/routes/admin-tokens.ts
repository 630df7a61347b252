import { z } from 'zod';
import {
  createAdminToken,
  createAdminTokenInputSchema,
  deleteAdminToken,
  listAdminTokens,
  revokeAdminToken,
} from '../../credentials/admin-token-service.js';
import { adminTokenViewSchema } from '../../credentials/admin-tokens.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, noContent, type ApiRoute } from '../registry.js';
import { adminTokenParams, orgParams } from '../schemas.js';

export function adminTokenRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'listAdminTokens',
      method: 'get',
      path: '/api/orgs/:orgId/admin-tokens',
      tag: 'Admin tokens',
      summary: 'Admin tokens of the organization (masked)',
      permission: 'admin_tokens:read',
      params: orgParams,
      status: 200,
      response: z.object({ adminTokens: z.array(adminTokenViewSchema) }),
      handler: async ({ params }) => ({ adminTokens: await listAdminTokens(deps, params.orgId) }),
    }),
    defineRoute({
      operationId: 'createAdminToken',
      method: 'post',
      path: '/api/orgs/:orgId/admin-tokens',
      tag: 'Admin tokens',
      summary: 'Create an admin token; the full token is in this response only',
      description: 'The new token’s role may not be higher than the role of the token creating it (403 otherwise).',
      permission: 'admin_tokens:write',
      params: orgParams,
      body: createAdminTokenInputSchema,
      status: 201,
      errors: [409],
      response: z.object({
        adminToken: adminTokenViewSchema,
        token: z.string().meta({ description: 'The full token. Shown this once: only a hash is stored.' }),
      }),
      handler: ({ params, body, ctx, role }) => createAdminToken(deps, params.orgId, body, ctx, role),
    }),
    defineRoute({
      operationId: 'revokeAdminToken',
      method: 'post',
      path: '/api/orgs/:orgId/admin-tokens/:tokenId/revoke',
      tag: 'Admin tokens',
      summary: 'Revoke an admin token, effective on the next request',
      permission: 'admin_tokens:write',
      params: adminTokenParams,
      status: 200,
      response: z.object({ adminToken: adminTokenViewSchema }),
      async handler({ params, ctx, role }) {
        const adminToken = await revokeAdminToken(deps, params.orgId, params.tokenId, ctx, role);
        deps.authenticator.forgetToken(params.tokenId);
        return { adminToken };
      },
    }),
    defineRoute({
      operationId: 'deleteAdminToken',
      method: 'delete',
      path: '/api/orgs/:orgId/admin-tokens/:tokenId',
      tag: 'Admin tokens',
      summary: 'Delete an admin token',
      permission: 'admin_tokens:write',
      params: adminTokenParams,
      status: 204,
      response: noContent,
      async handler({ params, ctx, role }) {
        await deleteAdminToken(deps, params.orgId, params.tokenId, ctx, role);
        deps.authenticator.forgetToken(params.tokenId);
        return undefined;
      },
    }),
  ];
}
