/**
 * The OpenAPI 3.1 document of the management api, generated from the route registry's zod
 * schemas (zod 4's toJSONSchema emits JSON Schema 2020-12, the dialect OpenAPI 3.1 uses). Request
 * schemas are rendered as the client must send them, responses as the server sends them.
 */
import { z } from 'zod';
import { PERMISSION_TABLE, ROLES, isAtLeast } from '../auth/permissions.js';
import type { AccountRoute } from './account-registry.js';
import type { ApiRoute } from './registry.js';

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // `unrepresentable: 'any'`: a refinement or transform has no JSON Schema form; its base type is still documented.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject;
  return rest;
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z][A-Za-z0-9_]*)/g, '{$1}');

function parameters(schema: z.ZodObject, location: 'path' | 'query'): JsonObject[] {
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid parameters or body; the message names the fields (never their values).',
  401: 'Missing, invalid, revoked or expired admin token, or no valid session cookie.',
  403: 'The role lacks the permission this operation needs; or a cookie-authenticated write failed the CSRF check (`csrf_rejected`).',
  404: 'Not found — including any organization other than the token’s own, and any row of another organization.',
  409: 'Conflicts with the current state (a name in use, a revoked key).',
  415: 'The body is not `application/json`.',
};

function rolesHolding(route: ApiRoute): string[] {
  return ROLES.filter((role) => isAtLeast(role, PERMISSION_TABLE[route.permission]));
}

/** A streamed body is text in each declared media type; no JSON schema describes it. */
function streamedContent(produces: Readonly<Record<string, string>>): JsonObject {
  return Object.fromEntries(Object.entries(produces).map(([type, description]) => [type, { schema: { type: 'string', description } }]));
}

function operation(route: ApiRoute): JsonObject {
  const errors = new Set([400, 401, 403, 404, ...(route.body ? [415] : []), ...(route.errors ?? [])]);
  const responses: JsonObject = {
    [String(route.status)]:
      route.status === 204
        ? { description: 'Done.' }
        : route.produces !== undefined
          ? { description: 'Success (streamed).', content: streamedContent(route.produces) }
          : { description: 'Success.', content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } },
  };
  for (const status of [...errors].sort((a, b) => a - b)) responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  const query = route.query ? parameters(route.query, 'query') : [];
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [route.description, `Requires \`${route.permission}\` (roles: ${rolesHolding(route).join(', ')}).`]
      .filter(Boolean)
      .join('\n\n'),
    tags: [route.tag],
    'x-permission': route.permission,
    parameters: [...parameters(route.params, 'path'), ...query],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    responses,
  };
}

/** An account route (`/api/me…`): for a signed-in user only, whatever their roles. */
function accountOperation(route: AccountRoute): JsonObject {
  const errors = new Set([
    400,
    401,
    403,
    ...(route.params.shape && Object.keys(route.params.shape).length > 0 ? [404] : []),
    ...(route.body ? [415] : []),
    ...(route.errors ?? []),
  ]);
  const responses: JsonObject = {
    [String(route.status)]:
      route.status === 204
        ? { description: 'Done.' }
        : { description: 'Success.', content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } },
  };
  for (const status of [...errors].sort((a, b) => a - b)) responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [route.description, 'For a signed-in user (session cookie); an admin token gets 403 `session_required`.']
      .filter(Boolean)
      .join('\n\n'),
    tags: [route.tag],
    security: [{ sessionCookie: [] }],
    parameters: [...parameters(route.params, 'path'), ...(route.query ? parameters(route.query, 'query') : [])],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(
  routes: readonly ApiRoute[],
  info: { version: string },
  accountRoutes: readonly AccountRoute[] = [],
): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = (paths[toOpenApiPath(route.path)] ??= {});
    path[route.method] = operation(route);
  }
  for (const route of accountRoutes) {
    const path = (paths[toOpenApiPath(route.path)] ??= {});
    path[route.method] = accountOperation(route);
  }
  const errorSchema = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['message', 'type', 'code'],
        properties: { message: { type: 'string' }, type: { type: 'string' }, code: { type: 'string' } },
      },
    },
  };
  const errorResponses: JsonObject = {};
  for (const [status, description] of Object.entries(ERROR_DESCRIPTIONS)) {
    errorResponses[`Error${status}`] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portcullis management API',
      version: info.version,
      description:
        'Organization operations (`/api/orgs/{orgId}/…`) are authenticated with an admin token of that organization, or with ' +
        'the session cookie of a signed-in member (then state-changing requests also need `Origin` and `x-portcullis-csrf: 1`). ' +
        '`/api/me…`, `/api/instance…` (instance administrators) and `POST /api/orgs` are for signed-in users. Secrets (API keys, admin tokens) are returned once, by the operation that creates or rotates them.',
    },
    security: [{ adminToken: [] }, { sessionCookie: [] }],
    tags: [...new Set([...routes, ...accountRoutes].map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'pc_admin_<lookupId>_<secret>',
          description: 'An admin token (`Authorization: Bearer pc_admin_…`); create the first with `portcullis tokens create`.',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'portcullis.session_token',
          description:
            'The HttpOnly session cookie set by `POST /api/auth/sign-in/email` (named `__Secure-portcullis.session_token` over HTTPS). ' +
            'State-changing requests must also send `Origin` (a trusted origin) and `x-portcullis-csrf: 1`.',
        },
      },
      schemas: { Error: errorSchema },
      responses: errorResponses,
    },
  };
}
