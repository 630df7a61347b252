/**
 * The OpenAPI document is generated from zod schemas and held to the api app's real route table
 * (Hono's `app.routes`, with better-auth's endpoints behind the `/api/auth/*` catch-all), so a
 * route served without a description, or described but not served, fails here; and the registry
 * refuses a route that would skip the permission check.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../src/api/app.js';
import type { ApiEnv } from '../src/api/env.js';
import { DISABLED_AUTH_PATHS, createIdentity } from '../src/identity/auth.js';
import { assertValidRoutes, defineRoute, mountRoutes, streamedBody, type ApiRoute } from '../src/api/registry.js';
import { instanceRoutes } from '../src/api/routes/instance.js';
import { meRoutes } from '../src/api/routes/me.js';
import { orgCreationRoutes } from '../src/api/routes/org-creation.js';
import { PERMISSIONS } from '../src/auth/permissions.js';
import { apiClient, registeredRoutes } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

type Operation = {
  operationId: string;
  'x-permission': string;
  security?: unknown;
  tags: string[];
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: {
    content: {
      'application/json': { schema: { properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean } };
    };
  };
  responses: Record<
    string,
    {
      description?: string;
      content?: Record<string, { schema: Record<string, unknown> }>;
      headers?: Record<string, { required?: boolean; schema: Record<string, unknown> }>;
      $ref?: string;
    }
  >;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  security: unknown[];
};

let server: TestServer;
let document: Document;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'] });
  const response = await apiClient(server, undefined).get<Document>('/api/openapi.json');
  expect(response.status).toBe(200);
  document = response.body;
});
afterAll(async () => server?.stop());

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');
const accountRoutes = () => [
  ...meRoutes({
    db: server.runtime.apiDb,
    sessionMaxAgeSeconds: 1,
    authSecret: 'x',
    bus: server.runtime.bus,
    logger: server.runtime.logger,
  }),
  ...instanceRoutes({ db: server.runtime.apiDb }),
  ...orgCreationRoutes({ db: server.runtime.apiDb }),
];

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the admin token (bearer) or the session cookie required everywhere', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie' });
    expect(document.security).toEqual([{ adminToken: [] }, { sessionCookie: [] }]);
  });

  it('lists the signed-in user routes (/api/me…, /api/instance…, POST /api/orgs) for the session cookie only', () => {
    for (const route of accountRoutes()) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method];
      expect(operation?.operationId).toBe(route.operationId);
      expect(operation?.security).toEqual([{ sessionCookie: [] }]);
    }
  });

  it('lists every registered org route with its permission, path parameters and schemas', () => {
    const routes = registeredRoutes(server);
    for (const route of routes) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method];
      const where = `${route.method} ${route.path}`;
      expect(operation, where).toBeDefined();
      expect(operation!.operationId).toBe(route.operationId);
      expect(operation!['x-permission'], where).toBe(route.permission);
      expect(PERMISSIONS).toContain(operation!['x-permission']);
      const pathParams = operation!.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      expect(pathParams.sort(), where).toEqual([...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).sort());
      for (const p of operation!.parameters.filter((p) => p.in === 'path'))
        expect(p.schema, where).toMatchObject({ type: 'string', format: 'uuid' });
      expect(Boolean(operation!.requestBody), where).toBe(route.body !== undefined);
      const success = operation!.responses[String(route.status)];
      expect(success, where).toBeDefined();
      if (route.produces !== undefined)
        expect(Object.keys(success!.content ?? {}).sort(), where).toEqual(Object.keys(route.produces).sort());
      else if (route.status !== 204) expect(success!.content?.['application/json']?.schema, where).toMatchObject({ type: 'object' });
      for (const status of ['400', '401', '403', '404'])
        expect(operation!.responses[status]?.$ref, where).toBe(`#/components/responses/Error${status}`);
    }
  });

  it('documents the create-key body from its zod schema, and the key view without any hash', () => {
    const create = document.paths['/api/orgs/{orgId}/projects/{projectId}/api-keys']!.post!;
    const body = create.requestBody!.content['application/json'].schema;
    expect(Object.keys(body.properties).sort()).toEqual(['allowedModels', 'expiresAt', 'ipAllowlist', 'limits', 'name', 'ownerMemberId']);
    expect(body.required).toEqual(['name']);
    expect(body.additionalProperties).toBe(false);
    const view = JSON.stringify(document.paths['/api/orgs/{orgId}/api-keys/{keyId}']!.get!.responses['200']);
    for (const field of ['maskedKey', 'last4', 'status', 'lastUsedAt', 'previousKey', 'ipAllowlist']) expect(view).toContain(`"${field}"`);
    expect(view.toLowerCase()).not.toContain('hash');
    const usage = document.paths['/api/orgs/{orgId}/usage']!.get!;
    expect(
      usage.parameters
        .filter((p) => p.in === 'query')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['id', 'period', 'scope']);
  });

  it('documents the org concurrency limit (maxConcurrentRequests) on the org limits, and not on a project’s', () => {
    const orgLimits = document.paths['/api/orgs/{orgId}/limits']!.put!;
    const body = orgLimits.requestBody!.content['application/json'].schema;
    expect(body.properties.maxConcurrentRequests).toMatchObject({
      anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }],
      default: null,
    });
    expect(JSON.stringify(orgLimits.responses['200'])).toContain('maxConcurrentRequests');
    expect(JSON.stringify(document.paths['/api/orgs/{orgId}']!.get!.responses['200'])).toContain('maxConcurrentRequests');
    const projectLimits = document.paths['/api/orgs/{orgId}/projects/{projectId}/limits']!.put!;
    expect(Object.keys(projectLimits.requestBody!.content['application/json'].schema.properties)).not.toContain('maxConcurrentRequests');
  });
});

/**
 * Rows of the api app's route table under `/api` that are not operations of their own, each with
 * why. A new row must be described in the document or added here with a reason.
 */
const NOT_OPERATIONS: Readonly<Record<string, string>> = {
  'ALL /api/*': 'middleware: CORS, no-store, CSRF and authentication',
  'GET /api/auth/*': 'the catch-all forwarding to better-auth: each of its endpoints is expected below',
  'POST /api/auth/*': 'the catch-all forwarding to better-auth: each of its endpoints is expected below',
  'GET /api/auth/callback/*': 'throttle and audit in front of better-auth’s callback, which is described as /api/auth/callback/{id}',
  'POST /api/auth/callback/*': 'throttle and audit in front of better-auth’s callback, which is described as /api/auth/callback/{id}',
  'GET /api/auth/oauth2/callback/*': 'throttle in front of generic-OAuth callbacks; better-auth 1.7 serves them at /callback/{id}',
  'POST /api/auth/oauth2/callback/*': 'throttle in front of generic-OAuth callbacks; better-auth 1.7 serves them at /callback/{id}',
  'GET /api/auth/reset-password/*': 'better-auth’s reset-link target, deliberately answered 404: links open /reset-password#token=…',
};

/** better-auth endpoints the catch-all reaches that answer nothing but 404, with why. */
const BETTER_AUTH_NOT_SERVED: Readonly<Record<string, string>> = {
  'GET /api/auth/reset-password/{token}': 'shadowed by the 404 on /api/auth/reset-password/* above',
  'GET /api/auth/delete-user/callback': 'account deletion through better-auth is off (DELETE /api/me instead): better-auth answers 404',
};

/** Paths outside `/api` the api service also serves (prefixes; `/*` exactly): pages and probes, not api operations. */
const NON_API_PREFIXES: Readonly<Record<string, string>> = {
  '/healthz': 'liveness probe of the service',
  '/readyz': 'readiness probe of the service',
  '/setup': 'the first-run setup page and its assets',
  '/sign-in': 'the sign-in page, its assets and the provider error page',
  '/invite': 'the invitation page',
  '/reset-password': 'the password-reset page',
  '/verify-email': 'the email-verification page',
  '/account-pages/': 'scripts of the account pages',
  '/assets/': 'static dashboard assets',
  '/*': 'the dashboard (single-page app) fallback',
};

const ALL_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];
const documentedOperations = () =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => ALL_METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );

type BetterAuthEndpoint = { path?: string; options?: { method?: string | string[]; metadata?: { SERVER_ONLY?: boolean } } };

/** `METHOD /api/auth/…` for every better-auth endpoint the catch-all (GET and POST) can reach. */
function betterAuthOperations(): string[] {
  const identity = createIdentity({
    config: server.runtime.config,
    authSecret: server.runtime.secrets.authSecret,
    db: server.runtime.apiDb,
    logger: server.runtime.logger,
  });
  const endpoints = Object.values(identity.secure.api as unknown as Record<string, BetterAuthEndpoint>);
  return endpoints.flatMap((endpoint) => {
    if (endpoint.path === undefined || endpoint.options?.metadata?.SERVER_ONLY || DISABLED_AUTH_PATHS.includes(endpoint.path)) return [];
    const declared = [endpoint.options?.method ?? 'GET'].flat();
    const methods = declared.includes('*') ? ['GET', 'POST'] : declared.filter((m) => m === 'GET' || m === 'POST');
    return methods.map((method) => `${method} ${openApiPath(`/api/auth${endpoint.path}`)}`);
  });
}

describe('the OpenAPI document against the real route table', () => {
  it('describes every route the api app serves under /api, with its method and path — and nothing it does not serve', () => {
    const app = createApiApp(server.runtime);
    const rows = [...new Set(app.routes.map((route) => `${route.method} ${route.path}`))];
    const apiRows = rows.filter((row) => row.split(' ')[1]!.startsWith('/api/'));
    // Everything else is a page or a probe, each of a listed kind.
    for (const row of rows.filter((r) => !apiRows.includes(r)))
      expect(
        // `/*` is the fallback row itself, not a prefix of everything.
        Object.keys(NON_API_PREFIXES).some((prefix) => {
          const path = row.split(' ')[1]!;
          return path === prefix || (prefix !== '/*' && path.startsWith(prefix));
        }),
        `${row} is neither under /api nor a listed page`,
      ).toBe(true);
    // Every listed exception is still in the table: the list cannot go stale.
    for (const row of Object.keys(NOT_OPERATIONS)) expect(apiRows, row).toContain(row);
    const concrete = apiRows.filter((row) => !(row in NOT_OPERATIONS)).map((row) => openApiPath(row));
    for (const row of concrete) expect(row, 'an unlisted wildcard or catch-all').not.toMatch(/\*|^ALL /);
    const forwarded = betterAuthOperations();
    for (const row of Object.keys(BETTER_AUTH_NOT_SERVED)) expect(forwarded, row).toContain(row);
    const expected = new Set([...concrete, ...forwarded.filter((row) => !(row in BETTER_AUTH_NOT_SERVED))]);
    expect(documentedOperations().sort()).toEqual([...expected].sort());
  });

  it('covers the sign-in, setup and invitation routes the audit found missing', () => {
    const operations = documentedOperations();
    for (const row of [
      'POST /api/auth/sign-in/email',
      'GET /api/auth/sign-up',
      'POST /api/auth/sign-up',
      'POST /api/auth/passkey/verify-authentication',
      'POST /api/auth/request-password-reset',
      'POST /api/auth/reset-password',
      'POST /api/auth/two-factor/verify-totp',
      'POST /api/auth/verify-email',
      'POST /api/auth/change-password',
      'GET /api/auth/providers',
      'POST /api/auth/sign-in/social',
      'GET /api/auth/callback/{id}',
      'GET /api/setup',
      'POST /api/setup',
      'POST /api/invitations/accept',
      'GET /api/openapi.json',
    ])
      expect(operations, row).toContain(row);
  });
});

describe('the described routes (outside the registries)', () => {
  const op = (path: string, method: string) => document.paths[path]![method]!;

  it('name their own auth mechanism: none, the session cookie, or the two-factor challenge', () => {
    expect(op('/api/auth/sign-in/email', 'post').security).toEqual([]);
    expect(op('/api/setup', 'post').security).toEqual([]);
    expect(op('/api/openapi.json', 'get').security).toEqual([]);
    expect(op('/api/auth/change-password', 'post').security).toEqual([{ sessionCookie: [] }]);
    expect(op('/api/auth/two-factor/verify-totp', 'post').security).toEqual([{ sessionCookie: [] }, { twoFactorChallenge: [] }]);
    expect(op('/api/invitations/accept', 'post').security).toEqual([{}, { sessionCookie: [] }]);
    // Everything outside the org registry says who may call; only org routes inherit the document's default.
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(methods))
        if (!path.startsWith('/api/orgs/{orgId}')) expect(operation.security, `${method} ${path}`).toBeDefined();
  });

  it('document request bodies from the schemas the handlers validate with', () => {
    const signIn = op('/api/auth/sign-in/email', 'post').requestBody!.content['application/json'].schema;
    expect(Object.keys(signIn.properties).sort()).toEqual(['email', 'password']);
    expect(signIn.required?.sort()).toEqual(['email', 'password']);
    expect(signIn.additionalProperties).toBe(false);
    const setup = op('/api/setup', 'post').requestBody!.content['application/json'].schema;
    expect(Object.keys(setup.properties).sort()).toEqual(['email', 'name', 'password', 'token']);
    const accept = op('/api/invitations/accept', 'post').requestBody!.content['application/json'].schema;
    expect(accept.required).toEqual(['token']);
    const reset = op('/api/auth/reset-password', 'post').requestBody!.content['application/json'].schema;
    expect(Object.keys(reset.properties).sort()).toEqual(['newPassword', 'token']);
    // A sign-in answers either the user or a two-factor challenge, and sets the cookie.
    const answer = JSON.stringify(op('/api/auth/sign-in/email', 'post').responses['200']);
    expect(answer).toContain('twoFactorRequired');
    expect(op('/api/auth/sign-in/email', 'post').responses['200']!.headers).toHaveProperty('Set-Cookie');
    expect(op('/api/auth/sign-in/email', 'post').responses['429']?.$ref).toBe('#/components/responses/Error429');
  });

  it('require the anti-CSRF header on every unsafe /api/auth and invitation call, as csrf.ts does', () => {
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(methods)) {
        const checked = method !== 'get' && (path.startsWith('/api/auth/') || path === '/api/invitations/accept');
        const header = operation.parameters.find((p) => p.in === 'header' && p.name === 'x-portcullis-csrf');
        expect(Boolean(header), `${method} ${path}`).toBe(checked);
        if (checked) expect(header!.required).toBe(true);
      }
  });

  it('document the OAuth callback as a 302 redirect with Location, and its throttle as a 429 page', () => {
    for (const method of ['get', 'post']) {
      const callback = op('/api/auth/callback/{id}', method);
      expect(callback.responses['302']!.headers!.Location).toMatchObject({ required: true, schema: { type: 'string' } });
      expect(callback.responses['200']).toBeUndefined();
      expect(Object.keys(callback.responses['429']!.content ?? {})).toEqual(['text/html']);
      expect(callback.parameters.find((p) => p.in === 'path')?.name).toBe('id');
    }
  });
});

describe('the document’s validity (OpenAPI 3.1 structure)', () => {
  it('has unique operation ids, resolvable $refs, declared path parameters and described responses', () => {
    const ids = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(ids.length).toBe(new Set(ids).size);
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const target = ref.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
      expect(target, `#/${ref}`).toBeDefined();
    }
    const schemes = Object.keys(document.components.securitySchemes);
    for (const [path, methods] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\/api\/[^:*]*$/);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method} ${path}`;
        expect(ALL_METHODS, where).toContain(method);
        expect(operation.tags.length, where).toBeGreaterThan(0);
        expect(
          operation.parameters
            .filter((p) => p.in === 'path')
            .map((p) => p.name)
            .sort(),
          where,
        ).toEqual(templated);
        expect(Object.keys(operation.responses).length, where).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(status, where).toMatch(/^[1-5]\d\d$/);
          if (response.$ref === undefined) expect(typeof response.description, `${where} ${status}`).toBe('string');
        }
        for (const requirement of (operation.security ?? []) as Record<string, unknown>[])
          for (const scheme of Object.keys(requirement)) expect(schemes, where).toContain(scheme);
      }
    }
  });
});

describe('the route registry', () => {
  const valid = () =>
    defineRoute({
      operationId: 'probe',
      method: 'get',
      path: '/api/orgs/:orgId/probe',
      tag: 'Test',
      summary: 'probe',
      permission: 'org:read',
      params: z.object({ orgId: z.uuid() }),
      status: 200,
      response: z.object({ ok: z.boolean() }),
      handler: () => Promise.resolve({ ok: true }),
    });
  const broken = (change: Partial<Record<keyof ApiRoute, unknown>>) => ({ ...valid(), ...change }) as ApiRoute;

  it('accepts a well-formed route', () => {
    expect(() => assertValidRoutes([valid()])).not.toThrow();
  });

  it('refuses a route registered without a permission, or with one the table does not know', () => {
    const { permission: _dropped, ...withoutPermission } = valid();
    expect(() => mountRoutes(new Hono<ApiEnv>(), [withoutPermission as ApiRoute])).toThrow(/declares no known permission/);
    expect(() => assertValidRoutes([broken({ permission: 'everything' })])).toThrow(/no known permission/);
    expect(() => assertValidRoutes([broken({ permission: 'toString' })])).toThrow(/no known permission/);
  });

  it('refuses routes outside an org, unvalidated path parameters and duplicates', () => {
    expect(() => assertValidRoutes([broken({ path: '/api/probe', params: z.object({}) })])).toThrow(/not under/);
    expect(() => assertValidRoutes([broken({ path: '/api/orgs/:orgId/keys/:keyId' })])).toThrow(/params schema must validate exactly/);
    expect(() => assertValidRoutes([valid(), broken({ operationId: 'other' })])).toThrow(/registered twice/);
    expect(() => assertValidRoutes([valid(), broken({ path: '/api/orgs/:orgId/other' })])).toThrow(/operationId probe is used twice/);
  });

  it('accepts a streamed route only with produces, streamedBody and status 200 together', () => {
    const produces = { 'text/csv': 'a file' };
    expect(() => assertValidRoutes([broken({ response: streamedBody, produces })])).not.toThrow();
    expect(() => assertValidRoutes([broken({ response: streamedBody })])).toThrow(/streamed route/);
    expect(() => assertValidRoutes([broken({ produces })])).toThrow(/streamed route/);
    expect(() => assertValidRoutes([broken({ response: streamedBody, produces, status: 201 })])).toThrow(/streamed route/);
  });
});
