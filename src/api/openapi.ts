/**
 * The OpenAPI 3.1 document of everything served under `/api`, generated from zod schemas: the org
 * route registry, the account routes, and the routes described beside them (openapi-described.ts:
 * `/api/auth/*`, setup, invitations, this document). Request schemas are rendered as the client
 * must send them, responses as the server sends them.
 */
import { PERMISSION_TABLE, ROLES, isAtLeast } from '../auth/permissions.js';
import type { AccountRoute } from './account-registry.js';
import { AUTH_ROUTE_DESCRIPTIONS } from './openapi-auth-routes.js';
import { describedOperation, type DescribedRoute } from './openapi-described.js';
import { PUBLIC_ROUTE_DESCRIPTIONS } from './openapi-public-routes.js';
import { jsonSchema, parameters, toOpenApiPath, type JsonObject } from './openapi-schema.js';
import type { ApiRoute } from './registry.js';

/** Every route outside the two registries; test/api-openapi.test.ts holds this list to the real route table. */
export const DESCRIBED_ROUTES: readonly DescribedRoute[] = [...PUBLIC_ROUTE_DESCRIPTIONS, ...AUTH_ROUTE_DESCRIPTIONS];

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid parameters or body; the message names the fields (never their values).',
  401: 'Missing, invalid, revoked or expired admin token, or no valid session cookie.',
  403: 'The role lacks the permission this operation needs; or a cookie-authenticated write failed the CSRF check (`csrf_rejected`).',
  404: 'Not found — including any organization other than the token’s own, and any row of another organization.',
  409: 'Conflicts with the current state (a name in use, a revoked key).',
  410: 'The link or token is invalid, expired or already used.',
  415: 'The body is not `application/json`.',
  429: 'Too many attempts from this address or for this account; `retry-after` says how many seconds to wait.',
  503: 'A service the operation needs is not available (e.g. `email_not_configured` when the instance cannot send mail).',
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
  for (const route of DESCRIBED_ROUTES) {
    const path = (paths[toOpenApiPath(route.path)] ??= {});
    path[route.method] = describedOperation(route);
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
    errorResponses[`Error${status}`] = {
      description,
      ...(status === '429' ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  errorResponses.BetterAuthError = {
    description: 'An error better-auth answered itself, passed through unchanged (its `code` is upper snake case, e.g. `INVALID_CODE`).',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/BetterAuthError' } } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portcullis management API',
      version: info.version,
      description:
        'Organization operations (`/api/orgs/{orgId}/…`) are authenticated with an admin token of that organization, or with ' +
        'the session cookie of a signed-in member (then state-changing requests also need `Origin` and `x-portcullis-csrf: 1`). ' +
        '`/api/me…`, `/api/instance…` (instance administrators) and `POST /api/orgs` are for signed-in users. ' +
        '`/api/auth/…` (sign-in, sign-up, passkeys, two-factor, password reset, provider sign-in), `/api/setup` and ' +
        '`/api/invitations/accept` are public or authenticate for themselves; each operation names its own `security`. ' +
        'Secrets (API keys, admin tokens) are returned once, by the operation that creates or rotates them.',
    },
    security: [{ adminToken: [] }, { sessionCookie: [] }],
    tags: [...new Set([...routes, ...accountRoutes, ...DESCRIBED_ROUTES].map((r) => r.tag))].map((name) => ({ name })),
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
        twoFactorChallenge: {
          type: 'apiKey',
          in: 'cookie',
          name: 'portcullis.two_factor',
          description:
            'The short-lived, signed cookie a right password sets when the account has two-factor on (`__Secure-` prefixed over HTTPS): it lets `/api/auth/two-factor/verify-*` finish the sign-in, and nothing else.',
        },
      },
      schemas: {
        Error: errorSchema,
        BetterAuthError: {
          type: 'object',
          required: ['message'],
          properties: { code: { type: 'string' }, message: { type: 'string' } },
        },
      },
      responses: errorResponses,
    },
  };
}
