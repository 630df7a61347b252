/**
 * Routes outside the two registries (registry.ts, account-registry.ts) — sign-in and the rest of
 * `/api/auth/*`, first-run setup, accepting an invitation, this document itself — are plain Hono
 * handlers or better-auth's own endpoints, so nothing declares them in a form the document can
 * read. Each is described here instead, with the zod schema its handler validates with (or, for
 * an endpoint better-auth answers, a schema of the fields Portcullis forwards), and rendered into
 * an OpenAPI operation. test/api-openapi.test.ts checks these descriptions against the api app's
 * real route table, so a route added without one fails the test.
 */
import type { z } from 'zod';
import { CSRF_HEADER } from '../identity/csrf.js';
import { AUTH_BASE_PATH } from '../identity/session-cookie.js';
import { ACCEPT_INVITATION_PATH } from './invitation-accept.js';
import { jsonSchema, parameters, type JsonObject } from './openapi-schema.js';
import type { HttpMethod } from './registry.js';

/**
 * Who may call: `none` (public; the route may authenticate by a token in the body), `session` (a
 * signed-in user's cookie; an admin token is not accepted), `optionalSession` (public, but acts as
 * the signed-in user when a cookie is sent), `twoFactor` (a session, or the challenge cookie a
 * right password leaves when two-factor is on).
 */
export type DescribedAuth = 'none' | 'session' | 'optionalSession' | 'twoFactor';

export type DescribedResponse = {
  description: string;
  /** A JSON body and its schema (as the server sends it). */
  json?: z.ZodType;
  /** An HTML page instead of JSON. */
  html?: boolean;
  /** A redirect: what `Location` points to. */
  location?: string;
  /** The response sets (or clears) the session cookie. */
  setsCookie?: boolean;
};

export interface DescribedRoute {
  operationId: string;
  method: HttpMethod;
  /** Hono syntax (`/api/auth/callback/:id`). */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: DescribedAuth;
  /** Answered by better-auth as it is (Portcullis only forwards the request): its error shape. */
  betterAuth?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** JSON request body. */
  body?: z.ZodType;
  responses: Readonly<Record<number, DescribedResponse>>;
  /** Errors in Portcullis's shape (`{ error: { message, type, code } }`). */
  errors?: readonly number[];
  /** Errors better-auth answers itself (`{ code, message }`), passed through unchanged. */
  betterAuthErrors?: readonly number[];
}

const SECURITY: Readonly<Record<DescribedAuth, JsonObject[]>> = {
  none: [],
  session: [{ sessionCookie: [] }],
  // `{}` makes the cookie optional.
  optionalSession: [{}, { sessionCookie: [] }],
  twoFactor: [{ sessionCookie: [] }, { twoFactorChallenge: [] }],
};

const AUTH_NOTE: Readonly<Record<DescribedAuth, string>> = {
  none: 'Public: no session cookie or admin token needed.',
  session: 'For a signed-in user (session cookie); an admin token is not accepted here.',
  optionalSession: 'Public; when a session cookie is sent, the request acts as that signed-in user.',
  twoFactor: 'With the session cookie, or with the two-factor challenge cookie that a right password set when two-factor is on.',
};

/** csrf.ts checks every unsafe request to `/api/auth/*` and to the invitation link, cookie or not. */
function alwaysCsrfChecked(route: DescribedRoute): boolean {
  return route.method !== 'get' && (route.path.startsWith(`${AUTH_BASE_PATH}/`) || route.path === ACCEPT_INVITATION_PATH);
}

const CSRF_PARAMETER = {
  name: CSRF_HEADER,
  in: 'header',
  required: true,
  description:
    'Must be `1`, and `Origin` (or `Referer`) must be a trusted origin (PUBLIC_URL or CORS_ORIGINS); otherwise 403 `csrf_rejected`.',
  schema: { type: 'string', const: '1' },
};

const SET_COOKIE_HEADER = {
  'Set-Cookie': { description: 'The session cookie (HttpOnly, Path=/api), set, renewed or cleared.', schema: { type: 'string' } },
};

function response(described: DescribedResponse): JsonObject {
  const headers: JsonObject = {
    ...(described.setsCookie ? SET_COOKIE_HEADER : {}),
    ...(described.location !== undefined
      ? { Location: { required: true, description: described.location, schema: { type: 'string', format: 'uri-reference' } } }
      : {}),
  };
  const content = described.json
    ? { 'application/json': { schema: jsonSchema(described.json, 'output') } }
    : described.html
      ? { 'text/html': { schema: { type: 'string' } } }
      : undefined;
  return {
    description: described.description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(content ? { content } : {}),
  };
}

export function describedOperation(route: DescribedRoute): JsonObject {
  const responses: JsonObject = {};
  for (const [status, described] of Object.entries(route.responses)) responses[status] = response(described);
  const errors = new Set([...(route.errors ?? []), ...(alwaysCsrfChecked(route) ? [403] : []), ...(route.body ? [415] : [])]);
  for (const status of [...errors].sort((a, b) => a - b)) responses[String(status)] ??= { $ref: `#/components/responses/Error${status}` };
  for (const status of route.betterAuthErrors ?? []) responses[String(status)] ??= { $ref: '#/components/responses/BetterAuthError' };
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [
      route.description,
      AUTH_NOTE[route.auth],
      route.betterAuth ? 'Answered by better-auth; Portcullis forwards the request and the answer unchanged.' : undefined,
    ]
      .filter(Boolean)
      .join('\n\n'),
    tags: [route.tag],
    security: SECURITY[route.auth],
    parameters: [
      ...(route.params ? parameters(route.params, 'path') : []),
      ...(route.query ? parameters(route.query, 'query') : []),
      ...(alwaysCsrfChecked(route) ? [CSRF_PARAMETER] : []),
    ],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    responses,
  };
}
