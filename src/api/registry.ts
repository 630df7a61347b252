/**
 * The route registry of the management api. Each route declares its method, path, schemas and
 * the permission it needs; the registry alone turns that into a handler, so every route gets
 * the same checks in the same order:
 *
 *   authenticated principal (401, by the middleware) → role in the path's org, else 404 (not
 *   403: a caller learns nothing about orgs that are not theirs) → permission (403) → path
 *   validation → project access: a `:projectId` outside the caller's projects is 404, as if it
 *   did not exist → query and body validation (400 naming fields, never values; 415 for
 *   non-JSON bodies) → handler → response parsed through its schema, which strips any field not
 *   declared there.
 *
 * Routes that reach project-owned data without `:projectId` in the path (lists across the org,
 * an API key by its id, usage) get the caller's project scope as `projects` and apply it
 * themselves: lists are filtered, a single resource of another project is 404.
 *
 * A route that streams a file instead of answering JSON (an export) declares the media types it
 * `produces` and `response: streamedBody`; its handler returns the Response itself, which is
 * passed through as is (every check before the handler still applies).
 *
 * The same declarations produce the OpenAPI document (openapi.ts).
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { ActionContext } from '../audit/context.js';
import { can, isAtLeast, isPermission, PERMISSION_TABLE, type Permission, type Role } from '../auth/permissions.js';
import {
  actorOf,
  inProjectScope,
  projectScope,
  roleIn,
  type Principal,
  type ProjectScope,
  type SessionPrincipal,
} from '../auth/principal.js';
import { badRequest, forbidden, notFound, unauthorized } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { describeZodError } from '../http/zod-message.js';
import type { ApiEnv } from './env.js';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Every management route lives under one org: the tenant boundary is part of the path. */
export const ORG_ROUTE_PREFIX = '/api/orgs/:orgId';

export type RouteRequest<P, Q, B> = {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  /** The principal's role in the path's org. */
  role: Role;
  /**
   * The projects of the path's org the principal may see and work in ('all' for everyone but
   * developers and viewers limited to some projects). Already enforced for `:projectId`; routes
   * reaching project data another way must filter or 404 with it.
   */
  projects: ProjectScope;
  /** Actor (the principal, with client IP and user agent) and request id, for the audit trail. */
  ctx: ActionContext;
  c: Context<ApiEnv>;
};

type EmptyObject = z.ZodObject<Record<never, never>>;

/** `ApiRoute` without arguments is any route, as the registry stores them. */
export interface ApiRoute<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  /** Stable name for generated clients. */
  operationId: string;
  method: HttpMethod;
  /** Hono syntax (`/api/orgs/:orgId/...`); every `:name` must be a key of `params`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  permission: Permission;
  params: P;
  query?: Q;
  /** JSON request body; without it the body is ignored. */
  body?: B;
  /** 204 routes declare `noContent`. */
  status: 200 | 201 | 202 | 204;
  /** JSON routes: the body's schema. Streamed routes: `streamedBody`, with `produces`. */
  response: R;
  /**
   * A streamed (non-JSON) body: its media types, each with a description for the OpenAPI
   * document. The handler builds the Response; no response schema can check a stream.
   */
  produces?: Readonly<Record<string, string>>;
  /** Extra client errors the route can answer besides 400/401/403/404, e.g. 409. */
  errors?: readonly number[];
  // A method (not a property) so a route with specific schemas is assignable to ApiRoute.
  handler(request: RouteRequest<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R>>;
}

/** Declares a route with its handler typed from its schemas (no query: empty; no body: undefined). */
export function defineRoute<
  P extends z.ZodObject,
  Q extends z.ZodObject = EmptyObject,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodType,
>(route: ApiRoute<P, Q, B, R>): ApiRoute {
  return route;
}

export const noContent = z.undefined();

/** The `response` of a route that `produces` a stream: its handler returns the Response itself. */
export const streamedBody = z.instanceof(Response);

/** Parses `:name` segments out of a route path. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

/**
 * Refuses a route table that would weaken the checks: a missing or unknown permission (a cast
 * or a plain JavaScript caller could slip one past the type checker), a route outside an org,
 * path parameters the schema does not validate, duplicates.
 */
export function assertValidRoutes(routes: readonly ApiRoute[]): void {
  const seen = new Set<string>();
  const operationIds = new Set<string>();
  for (const route of routes) {
    const where = `${String(route.method).toUpperCase()} ${route.path}`;
    if (!isPermission(route.permission)) throw new Error(`route ${where} declares no known permission`);
    if (!HTTP_METHODS.includes(route.method)) throw new Error(`route ${where} has an unsupported method`);
    if (route.path !== ORG_ROUTE_PREFIX && !route.path.startsWith(`${ORG_ROUTE_PREFIX}/`))
      throw new Error(`route ${where} is not under ${ORG_ROUTE_PREFIX}`);
    const declared = Object.keys(route.params.shape).sort();
    const inPath = pathParameterNames(route.path).sort();
    if (declared.join() !== inPath.join()) throw new Error(`route ${where}: params schema must validate exactly ${inPath.join(', ')}`);
    if (route.status === 204 && route.response !== noContent) throw new Error(`route ${where}: a 204 route must declare noContent`);
    if ((route.produces !== undefined) !== (route.response === streamedBody) || (route.produces !== undefined && route.status !== 200))
      throw new Error(`route ${where}: a streamed route declares produces, response streamedBody and status 200 (and only it)`);
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`route ${where} is registered twice`);
    if (operationIds.has(route.operationId)) throw new Error(`operationId ${route.operationId} is used twice`);
    seen.add(key);
    operationIds.add(route.operationId);
  }
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(`Invalid ${what}: ${describeZodError(result.error, value)}`, 'validation_error');
  return result.data;
}

/**
 * Whether a signed-in user meets the org's "2FA or passkey for admins and owners" rule (true when
 * the org does not require it). Asked only for session principals on admin-level permissions.
 */
export type StrongAuthCheck = (principal: SessionPrincipal, orgId: string) => Promise<boolean>;

async function handle(route: ApiRoute, c: Context<ApiEnv>, strongAuth?: StrongAuthCheck): Promise<Response> {
  const principal = c.get('principal');
  // The authentication middleware runs on every /api path; this only guards against mounting a
  // route somewhere it does not.
  if (principal === undefined) throw unauthorized();
  const role = roleIn(principal, c.req.param('orgId') ?? '');
  if (role === undefined) throw notFound();
  if (!can(role, route.permission))
    throw forbidden(`This needs the ${route.permission} permission, which the ${role} role does not have.`, 'permission_denied');
  // Admin tokens are not affected: minting one already took an admin who met the rule, and a token
  // is a bearer secret with no second factor to add.
  if (
    strongAuth !== undefined &&
    principal.kind === 'session' &&
    isAtLeast(PERMISSION_TABLE[route.permission], 'admin') &&
    !(await strongAuth(principal, c.req.param('orgId') ?? ''))
  )
    throw forbidden(
      'This organization requires admins and owners to use two-factor authentication or a passkey. Set one up, then try again.',
      'strong_auth_required',
    );
  const params = parseOrThrow(route.params, c.req.param(), 'path parameter');
  const projects = projectScope(principal, c.req.param('orgId') ?? '');
  // The same 404 a project of another org gets: a restricted member learns nothing about the
  // org's other projects, not even that they exist.
  const projectId = params.projectId;
  if (typeof projectId === 'string' && !inProjectScope(projects, projectId)) throw notFound('Project not found', 'project_not_found');
  const query = parseOrThrow(route.query ?? z.object({}), c.req.query(), 'query parameter');
  const body: unknown = route.body === undefined ? undefined : await readJson(c, route.body);
  const ctx: ActionContext = {
    actor: actorOf(principal, { ip: c.get('clientIp'), userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null }),
    requestId: c.get('requestId'),
  };
  const result = await route.handler({ params, query, body, principal, role, projects, ctx, c });
  if (route.status === 204) return c.body(null, 204);
  if (route.produces !== undefined) {
    if (!(result instanceof Response)) throw new Error(`${route.operationId}: a streamed route must return a Response`);
    return result;
  }
  // Our own output failing its schema is a bug: a 500 (logged), never a partial response.
  const parsed = route.response.safeParse(result);
  if (!parsed.success) throw new Error(`${route.operationId}: response does not match its schema (${describeZodError(parsed.error)})`);
  return c.json(parsed.data, route.status as ContentfulStatusCode);
}

export function mountRoutes(app: Hono<ApiEnv>, routes: readonly ApiRoute[], options: { strongAuth?: StrongAuthCheck } = {}): void {
  assertValidRoutes(routes);
  for (const route of routes) app.on(route.method.toUpperCase(), route.path, (c) => handle(route, c, options.strongAuth));
}
