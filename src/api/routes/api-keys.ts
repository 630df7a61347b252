import { z } from 'zod';
import { createApiKeyInputSchema, rotateApiKeyInputSchema, updateApiKeyInputSchema } from '../../credentials/api-key-input.js';
import {
  createApiKey,
  deleteApiKey,
  getApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  updateApiKey,
} from '../../credentials/api-key-service.js';
import { apiKeyViewSchema } from '../../credentials/api-key-view.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, noContent, type ApiRoute } from '../registry.js';
import { apiKeyParams, projectParams } from '../schemas.js';

const issuedKeySchema = z.object({
  apiKey: apiKeyViewSchema,
  key: z.string().meta({ description: 'The full key. Shown this once: only a hash is stored.' }),
});
const oneKeySchema = z.object({ apiKey: apiKeyViewSchema });

export function apiKeyRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'listApiKeys',
      method: 'get',
      path: '/api/orgs/:orgId/projects/:projectId/api-keys',
      tag: 'API keys',
      summary: 'API keys of a project (masked)',
      permission: 'api_keys:read',
      params: projectParams,
      status: 200,
      response: z.object({ apiKeys: z.array(apiKeyViewSchema) }),
      handler: async ({ params }) => ({ apiKeys: await listApiKeys(deps, params.orgId, params.projectId) }),
    }),
    defineRoute({
      operationId: 'createApiKey',
      method: 'post',
      path: '/api/orgs/:orgId/projects/:projectId/api-keys',
      tag: 'API keys',
      summary: 'Create an API key; the full key is in this response only',
      description: 'The prefix follows the project mode: `pc_live_` or `pc_test_`.',
      permission: 'api_keys:write',
      params: projectParams,
      body: createApiKeyInputSchema,
      status: 201,
      errors: [409],
      response: issuedKeySchema,
      handler: ({ params, body, ctx }) => createApiKey(deps, params.orgId, params.projectId, body, ctx),
    }),
    defineRoute({
      operationId: 'getApiKey',
      method: 'get',
      path: '/api/orgs/:orgId/api-keys/:keyId',
      tag: 'API keys',
      summary: 'One API key (masked)',
      permission: 'api_keys:read',
      params: apiKeyParams,
      status: 200,
      response: oneKeySchema,
      handler: async ({ params, projects }) => ({ apiKey: await getApiKey(deps, params.orgId, params.keyId, projects) }),
    }),
    defineRoute({
      operationId: 'updateApiKey',
      method: 'patch',
      path: '/api/orgs/:orgId/api-keys/:keyId',
      tag: 'API keys',
      summary: 'Change name, expiry, restrictions or limits',
      permission: 'api_keys:write',
      params: apiKeyParams,
      body: updateApiKeyInputSchema,
      status: 200,
      errors: [409],
      response: oneKeySchema,
      handler: async ({ params, body, ctx, projects }) => ({
        apiKey: await updateApiKey(deps, params.orgId, params.keyId, body, ctx, projects),
      }),
    }),
    defineRoute({
      operationId: 'deleteApiKey',
      method: 'delete',
      path: '/api/orgs/:orgId/api-keys/:keyId',
      tag: 'API keys',
      summary: 'Delete an API key (it stops working at once; its request logs stay)',
      permission: 'api_keys:write',
      params: apiKeyParams,
      status: 204,
      response: noContent,
      handler: async ({ params, ctx, projects }) => {
        await deleteApiKey(deps, params.orgId, params.keyId, ctx, projects);
        return undefined;
      },
    }),
    defineRoute({
      operationId: 'rotateApiKey',
      method: 'post',
      path: '/api/orgs/:orgId/api-keys/:keyId/rotate',
      tag: 'API keys',
      summary: 'Replace the secret; the old one works for the grace period',
      description:
        'The key keeps its id, limits, restrictions and history. A rotation during a grace period ends the older secret at once.',
      permission: 'api_keys:write',
      params: apiKeyParams,
      body: rotateApiKeyInputSchema,
      status: 200,
      errors: [409],
      response: issuedKeySchema,
      handler: ({ params, body, ctx, projects }) => rotateApiKey(deps, params.orgId, params.keyId, body.gracePeriodSeconds, ctx, projects),
    }),
    defineRoute({
      operationId: 'revokeApiKey',
      method: 'post',
      path: '/api/orgs/:orgId/api-keys/:keyId/revoke',
      tag: 'API keys',
      summary: 'Revoke an API key, immediately and for good',
      permission: 'api_keys:write',
      params: apiKeyParams,
      status: 200,
      response: oneKeySchema,
      handler: async ({ params, ctx, projects }) => ({ apiKey: await revokeApiKey(deps, params.orgId, params.keyId, ctx, projects) }),
    }),
  ];
}
