/**
 * Routes about the signed-in user themself (`/api/me…`), beside the org-scoped registry: no org in
 * the path and no permission from the role table, because every user may see and end their own
 * sessions. Only a session principal reaches the handler; an admin token has no user behind it
 * (403 `session_required`). Same order of checks and the same response-schema stripping as the
 * org registry; the OpenAPI document lists these too. Instance administration (`/api/instance…`)
 * and creating an org (`POST /api/orgs`) are account routes as well: they act as a user, not
 * within an org, and check instance-admin status or the sign-up mode themselves.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { ActionContext } from '../audit/context.js';
import { actorOf, type SessionPrincipal } from '../auth/principal.js';
import { forbidden, unauthorized } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { describeZodError } from '../http/zod-message.js';
import type { ApiEnv } from './env.js';
import { HTTP_METHODS, noContent, parseOrThrow, pathParameterNames, type HttpMethod } from './registry.js';

export const ACCOUNT_ROUTE_PREFIX = '/api/me';
/** Paths an account route may have: these prefixes and what lies below them, plus exactly `/api/orgs` (below it is the org registry). */
const ACCOUNT_ROUTE_PREFIXES = [ACCOUNT_ROUTE_PREFIX, '/api/instance'] as const;
const ACCOUNT_ROUTE_EXACT_PATHS = ['/api/orgs'] as const;

function isAccountPath(path: string): boolean {
  return (
    (ACCOUNT_ROUTE_EXACT_PATHS as readonly string[]).includes(path) ||
    ACCOUNT_ROUTE_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))
  );
}

export interface AccountRoute<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: HttpMethod;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  params: P;
  query?: Q;
  body?: B;
  status: 200 | 201 | 204;
  response: R;
  errors?: readonly number[];
  handler(request: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    principal: SessionPrincipal;
    ctx: ActionContext;
    c: Context<ApiEnv>;
  }): Promise<z.input<R>>;
}

export function defineAccountRoute<
  P extends z.ZodObject,
  Q extends z.ZodObject = z.ZodObject<Record<never, never>>,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodType,
>(route: AccountRoute<P, Q, B, R>): AccountRoute {
  return route;
}

export function assertValidAccountRoutes(routes: readonly AccountRoute[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const where = `${String(route.method).toUpperCase()} ${route.path}`;
    if (!HTTP_METHODS.includes(route.method)) throw new Error(`route ${where} has an unsupported method`);
    if (!isAccountPath(route.path)) throw new Error(`route ${where} is not under ${ACCOUNT_ROUTE_PREFIXES.join(' or ')} (nor /api/orgs)`);
    const declared = Object.keys(route.params.shape).sort();
    if (declared.join() !== pathParameterNames(route.path).sort().join())
      throw new Error(`route ${where}: params schema must match the path`);
    if (route.status === 204 && route.response !== noContent) throw new Error(`route ${where}: a 204 route must declare noContent`);
    if (seen.has(`${route.method} ${route.path}`)) throw new Error(`route ${where} is registered twice`);
    seen.add(`${route.method} ${route.path}`);
  }
}

async function handle(route: AccountRoute, c: Context<ApiEnv>): Promise<Response> {
  const principal = c.get('principal');
  if (principal === undefined) throw unauthorized();
  if (principal.kind !== 'session')
    throw forbidden('This endpoint is about the signed-in user; an admin token has no user. Sign in instead.', 'session_required');
  const params = parseOrThrow(route.params, c.req.param(), 'path parameter');
  const query = parseOrThrow(route.query ?? z.object({}), c.req.query(), 'query parameter');
  const body: unknown = route.body === undefined ? undefined : await readJson(c, route.body);
  const ctx: ActionContext = {
    actor: actorOf(principal, { ip: c.get('clientIp'), userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null }),
    requestId: c.get('requestId'),
  };
  const result = await route.handler({ params, query, body, principal, ctx, c });
  if (route.status === 204) return c.body(null, 204);
  const parsed = route.response.safeParse(result);
  if (!parsed.success) throw new Error(`${route.operationId}: response does not match its schema (${describeZodError(parsed.error)})`);
  return c.json(parsed.data, route.status as ContentfulStatusCode);
}

export function mountAccountRoutes(app: Hono<ApiEnv>, routes: readonly AccountRoute[]): void {
  assertValidAccountRoutes(routes);
  for (const route of routes) app.on(route.method.toUpperCase(), route.path, (c) => handle(route, c));
}
