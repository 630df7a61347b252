import { z } from 'zod';
import { inProjectScope, type ProjectScope } from '../../auth/principal.js';
import {
  createProviderKeyInputSchema,
  testProviderKeyInputSchema,
  updateProviderKeyInputSchema,
} from '../../credentials/provider-key-input.js';
import {
  createProviderKeyFromApi,
  deleteProviderKeyFromApi,
  getProviderKey,
  listProviderKeys,
  providerKeyNotFound,
  updateProviderKeyFromApi,
  type ProviderKeyDeps,
} from '../../credentials/provider-key-service.js';
import { providerKeyViewSchema, type ProviderKeyView } from '../../credentials/provider-key-view.js';
import { testProviderKeyConnection } from '../../credentials/test-connection.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, noContent, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

const providerKeyParams = orgParams.extend({ providerKeyId: z.uuid() });
const oneKeySchema = z.object({ providerKey: providerKeyViewSchema });

const testResultSchema = z.object({
  ok: z.boolean(),
  status: z.number().int().meta({ description: 'The gateway’s HTTP status (504: it did not answer in time).' }),
  provider: z.string(),
  model: z.string().meta({ description: 'The pinned model the request asked for (`provider/model`).' }),
  latencyMs: z.number().int().meta({ description: 'Round trip from the api through the gateway to the provider and back.' }),
  error: z
    .object({ code: z.string().nullable(), message: z.string() })
    .optional()
    .meta({ description: 'The gateway’s error, as an application would have received it.' }),
});

/**
 * A provider key as a member limited to some projects may see it: keys for every project (no
 * `projectIds`) and keys usable by one of theirs, listing only their projects; otherwise none.
 * Writes need provider_keys:write, an admin's, and admins are never limited.
 */
function visibleTo(scope: ProjectScope, key: ProviderKeyView): ProviderKeyView | undefined {
  if (scope === 'all' || key.projectIds.length === 0) return key;
  const projectIds = key.projectIds.filter((id) => inProjectScope(scope, id));
  return projectIds.length === 0 ? undefined : { ...key, projectIds };
}

export function providerKeyRoutes(deps: ApiDeps): ApiRoute[] {
  const serviceDeps: ProviderKeyDeps = {
    ...deps,
    // Without the instance's policy, the strict one: private and loopback URLs refused.
    providerUrlPolicy: deps.providerUrlPolicy ?? { allowPrivate: false },
  };
  return [
    defineRoute({
      operationId: 'listProviderKeys',
      method: 'get',
      path: '/api/orgs/:orgId/provider-keys',
      tag: 'Provider keys',
      summary: 'Provider keys of the organization (never the key: only its last 4 characters)',
      description:
        'A member limited to some projects sees the keys for every project and those usable by their projects (listing only theirs).',
      permission: 'provider_keys:read',
      params: orgParams,
      status: 200,
      response: z.object({ providerKeys: z.array(providerKeyViewSchema) }),
      handler: async ({ params, projects }) => ({
        providerKeys: (await listProviderKeys(serviceDeps, params.orgId)).flatMap((key) => visibleTo(projects, key) ?? []),
      }),
    }),
    defineRoute({
      operationId: 'createProviderKey',
      method: 'post',
      path: '/api/orgs/:orgId/provider-keys',
      tag: 'Provider keys',
      summary: 'Store a provider key, encrypted under the org’s data key',
      description: 'The key is write-only: no response ever contains it. Gateways use it at once.',
      permission: 'provider_keys:write',
      params: orgParams,
      body: createProviderKeyInputSchema,
      status: 201,
      errors: [409],
      response: oneKeySchema,
      handler: async ({ params, body, ctx }) => ({ providerKey: await createProviderKeyFromApi(serviceDeps, params.orgId, body, ctx) }),
    }),
    defineRoute({
      operationId: 'getProviderKey',
      method: 'get',
      path: '/api/orgs/:orgId/provider-keys/:providerKeyId',
      tag: 'Provider keys',
      summary: 'One provider key (never the key)',
      permission: 'provider_keys:read',
      params: providerKeyParams,
      status: 200,
      response: oneKeySchema,
      async handler({ params, projects }) {
        const providerKey = visibleTo(projects, await getProviderKey(serviceDeps, params.orgId, params.providerKeyId));
        if (!providerKey) throw providerKeyNotFound();
        return { providerKey };
      },
    }),
    defineRoute({
      operationId: 'updateProviderKey',
      method: 'patch',
      path: '/api/orgs/:orgId/provider-keys/:providerKeyId',
      tag: 'Provider keys',
      summary: 'Replace the key, or change label, base URL, options or projects',
      description: 'A new key is encrypted under the org’s active data key; the audit diff shows its last 4 characters, from and to.',
      permission: 'provider_keys:write',
      params: providerKeyParams,
      body: updateProviderKeyInputSchema,
      status: 200,
      errors: [409],
      response: oneKeySchema,
      handler: async ({ params, body, ctx }) => ({
        providerKey: await updateProviderKeyFromApi(serviceDeps, params.orgId, params.providerKeyId, body, ctx),
      }),
    }),
    defineRoute({
      operationId: 'deleteProviderKey',
      method: 'delete',
      path: '/api/orgs/:orgId/provider-keys/:providerKeyId',
      tag: 'Provider keys',
      summary: 'Delete a provider key (gateways stop using it at once)',
      permission: 'provider_keys:write',
      params: providerKeyParams,
      status: 204,
      response: noContent,
      handler: async ({ params, ctx }) => {
        await deleteProviderKeyFromApi(serviceDeps, params.orgId, params.providerKeyId, ctx);
        return undefined;
      },
    }),
    defineRoute({
      operationId: 'testProviderKey',
      method: 'post',
      path: '/api/orgs/:orgId/provider-keys/:providerKeyId/test',
      tag: 'Provider keys',
      summary: 'Test connection: one tiny request through the gateway with a short-lived API key',
      description:
        'Mints an API key of the project that lives 2 minutes and may request only the pinned model, sends `ping` with `max_tokens: 1` through the gateway, and revokes the key whatever happened (both audited). ' +
        'The api never calls the provider itself. 409 when the project can use another key of the same provider (the gateway could answer with that one); 503 `gateway_unavailable` when this api process has no gateway to call.',
      permission: 'provider_keys:write',
      params: providerKeyParams,
      body: testProviderKeyInputSchema,
      status: 200,
      errors: [409],
      response: testResultSchema,
      handler: ({ params, body, ctx }) =>
        testProviderKeyConnection({ ...serviceDeps, gatewayUrl: deps.gatewayUrl }, params.orgId, params.providerKeyId, body, ctx),
    }),
  ];
}
