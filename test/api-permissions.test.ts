/**
 * Who may do what. The table is written out here independently of src/auth/permissions.ts, so a
 * change to the code's table fails a test until this one is changed too — on purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, canGrantRole, PERMISSIONS, ROLES, type Permission, type Role } from '../src/auth/permissions.js';
import {
  apiClient,
  createOrg,
  fillPath,
  mintToken,
  registeredRoutes,
  type IssuedTokenBody,
  type KeyListBody,
  type TestOrg,
} from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

const ALL: Role[] = ['owner', 'admin', 'developer', 'viewer'];
const EXPECTED: Record<Permission, Role[]> = {
  'org:read': ALL,
  'org:write': ['owner'],
  'projects:read': ALL,
  'projects:write': ['owner', 'admin'],
  'api_keys:read': ALL,
  'api_keys:write': ['owner', 'admin', 'developer'],
  'admin_tokens:read': ['owner', 'admin'],
  'admin_tokens:write': ['owner', 'admin'],
  'usage:read': ['owner', 'admin', 'developer'],
  'limits:write': ['owner', 'admin'],
  'provider_keys:read': ['owner', 'admin', 'developer'],
  'provider_keys:write': ['owner', 'admin'],
  'members:read': ['owner', 'admin', 'developer'],
  'members:write': ['owner', 'admin'],
  'guardrails:read': ['owner', 'admin', 'developer'],
  'guardrails:write': ['owner', 'admin'],
  'audit:read': ['owner', 'admin'],
  'request_bodies:read': ['owner', 'admin'],
};

describe('the permission table', () => {
  it('lists exactly the permissions this test knows', () => {
    expect([...PERMISSIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect([...ROLES]).toEqual(ALL);
  });

  for (const role of ALL) {
    for (const permission of PERMISSIONS) {
      const allowed = EXPECTED[permission].includes(role);
      it(`${role} ${allowed ? 'has' : 'lacks'} ${permission}`, () => {
        expect(can(role, permission)).toBe(allowed);
      });
    }
  }

  it('grants nothing for a permission it does not know', () => {
    expect(can('owner', 'everything:write' as Permission)).toBe(false);
  });

  const rank = (role: Role) => ALL.length - ALL.indexOf(role);
  for (const granter of ALL) {
    for (const granted of ALL) {
      const allowed = rank(granter) >= rank(granted);
      it(`a ${granter} ${allowed ? 'may' : 'may not'} create a ${granted} token`, () => {
        expect(canGrantRole(granter, granted)).toBe(allowed);
      });
    }
  }
});

describe('permissions over HTTP', () => {
  let server: TestServer;
  let org: TestOrg;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    server = await startTestServer({ services: ['api'] });
    org = await createOrg(server, 'perm');
    for (const role of ALL) tokens[role] = await mintToken(server, org, role);
  });
  afterAll(async () => server?.stop());

  it('every route answers 403 to every role that lacks its permission, and lets the others past the check', async () => {
    const routes = registeredRoutes(server);
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      for (const role of ALL) {
        // Ids other than the org's own are random, so a permitted call finds nothing (404) or
        // fails validation (400) instead of changing anything.
        const path = fillPath(route, { orgId: org.orgId });
        const response = await apiClient(server, tokens[role]).call(route.method.toUpperCase(), path, route.body ? {} : undefined);
        const where = `${role} ${route.method.toUpperCase()} ${route.path}`;
        if (EXPECTED[route.permission].includes(role)) {
          expect(response.status, where).not.toBe(403);
          expect(response.status, where).toBeLessThan(500);
        } else {
          expect(response.status, where).toBe(403);
          expect(response.error?.code, where).toBe('permission_denied');
          expect(response.error?.message, where).toContain(route.permission);
        }
      }
    }
  });

  it('a viewer can list API keys but cannot create one, and nothing is created', async () => {
    const viewer = apiClient(server, tokens.viewer);
    const path = `/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`;
    expect((await viewer.post(path, { name: 'sneaky' })).status).toBe(403);
    const list = await viewer.get<KeyListBody>(path);
    expect(list.status).toBe(200);
    expect(list.body.apiKeys.map((k) => k.name)).not.toContain('sneaky');
    expect((await apiClient(server, tokens.developer).post(path, { name: 'allowed' })).status).toBe(201);
  });

  it('a developer cannot create admin tokens', async () => {
    const response = await apiClient(server, tokens.developer).post(`/api/orgs/${org.orgId}/admin-tokens`, { name: 'x', role: 'viewer' });
    expect(response.status).toBe(403);
  });

  it('a token creates tokens only up to its own role: an admin cannot mint an owner token', async () => {
    const admin = apiClient(server, tokens.admin);
    const path = `/api/orgs/${org.orgId}/admin-tokens`;
    const owner = await admin.post(path, { name: 'escalate', role: 'owner' });
    expect(owner.status).toBe(403);
    expect(owner.error?.code).toBe('role_too_high');
    expect(owner.text).not.toContain('pc_admin_');
    for (const role of ['admin', 'developer', 'viewer'] as const) {
      const created = await admin.post<IssuedTokenBody>(path, { name: `by-admin-${role}`, role });
      expect(created.status, created.text).toBe(201);
      expect(created.body.adminToken.role).toBe(role);
    }
    const byOwner = await apiClient(server, tokens.owner).post<IssuedTokenBody>(path, { name: 'second-owner', role: 'owner' });
    expect(byOwner.status).toBe(201);
    // The escalation attempt left no token behind.
    const list = await admin.get<{ adminTokens: { name: string }[] }>(path);
    expect(list.body.adminTokens.map((t) => t.name)).not.toContain('escalate');
  });

  it('an admin cannot revoke or delete an owner token; an owner can revoke an admin token, which then stops working', async () => {
    const path = `/api/orgs/${org.orgId}/admin-tokens`;
    const ownerClient = apiClient(server, tokens.owner);
    const victim = await ownerClient.post<IssuedTokenBody>(path, { name: 'owner-victim', role: 'owner' });
    const admin = apiClient(server, tokens.admin);
    expect((await admin.post(`${path}/${victim.body.adminToken.id}/revoke`)).status).toBe(403);
    expect((await admin.delete(`${path}/${victim.body.adminToken.id}`)).status).toBe(403);
    expect((await apiClient(server, victim.body.token).get(`/api/orgs/${org.orgId}`)).status).toBe(200);

    const adminToken = await ownerClient.post<IssuedTokenBody>(path, { name: 'admin-to-revoke', role: 'admin' });
    const revocable = apiClient(server, adminToken.body.token);
    expect((await revocable.get(`/api/orgs/${org.orgId}`)).status).toBe(200);
    expect((await ownerClient.post(`${path}/${adminToken.body.adminToken.id}/revoke`)).status).toBe(200);
    const refused = await revocable.get(`/api/orgs/${org.orgId}`);
    expect(refused.status).toBe(401);
    expect(refused.error?.code).toBe('revoked_token');
  });
});
