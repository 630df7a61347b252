/**
 * The OpenAPI document is generated from the route registry, so it cannot drift from what is
 * served; and the registry refuses a route that would skip the permission check.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEnv } from '../src/api/env.js';
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
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: {
    content: {
      'application/json': { schema: { properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean } };
    };
  };
  responses: Record<string, { content?: { 'application/json': { schema: Record<string, unknown> } }; $ref?: string }>;
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

  it('lists every registered route, with its permission, path parameters and schemas — and nothing else', () => {
    const routes = registeredRoutes(server);
    // Account routes (session cookie only, checked above) are not in the org registry.
    const isAccountOperation = (operation: Operation) => JSON.stringify(operation.security) === JSON.stringify([{ sessionCookie: [] }]);
    let operations = 0;
    for (const methods of Object.values(document.paths))
      operations += Object.values(methods).filter((op) => !isAccountOperation(op)).length;
    expect(operations).toBe(routes.length);
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
      else if (route.status !== 204) expect(success!.content?.['application/json'].schema, where).toMatchObject({ type: 'object' });
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
