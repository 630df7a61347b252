/**
 * Tenant isolation of the management api. A token of org A asking about org B gets 404 — the same
 * answer as for an org that does not exist, so the api is no oracle for other tenants — and ids of
 * org B's rows are not found from inside org A either, in the path or in the body.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import {
  apiClient,
  createOrg,
  fillPath,
  gatewayStatus,
  mintToken,
  registeredRoutes,
  type ApiClient,
  type IssuedKeyBody,
  type IssuedTokenBody,
  type TestOrg,
} from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let a: TestOrg;
let b: TestOrg;
let asA: ApiClient;
let bKey: IssuedKeyBody;
let bToken: IssuedTokenBody;

beforeAll(async () => {
  server = await startTestServer({ services: ['gateway', 'api'] });
  [a, b] = [await createOrg(server, 'tenant-a'), await createOrg(server, 'tenant-b')];
  asA = apiClient(server, await mintToken(server, a, 'owner'));
  const asB = apiClient(server, await mintToken(server, b, 'owner'));
  bKey = (await asB.post<IssuedKeyBody>(`/api/orgs/${b.orgId}/projects/${b.projectId}/api-keys`, { name: 'b-key' })).body;
  bToken = (await asB.post<IssuedTokenBody>(`/api/orgs/${b.orgId}/admin-tokens`, { name: 'b-token', role: 'viewer' })).body;
});
afterAll(async () => server?.stop());

/** Nothing identifying org B may appear in what org A is told. */
function expectNothingOfB(text: string, where: string) {
  for (const secret of [
    b.orgId,
    b.orgName,
    b.projectId,
    b.memberId,
    bKey.apiKey.id,
    bKey.apiKey.maskedKey.split('_')[2]!,
    bToken.adminToken.id,
  ]) {
    expect(text, where).not.toContain(secret);
  }
}

describe('cross-tenant access', () => {
  it('answers 404 on every route of another org, exactly like an org that does not exist', async () => {
    const ids = { orgId: b.orgId, projectId: b.projectId, keyId: bKey.apiKey.id, tokenId: bToken.adminToken.id };
    const nowhere = await asA.get(`/api/orgs/00000000-0000-4000-8000-000000000000`);
    expect(nowhere.status).toBe(404);
    for (const route of registeredRoutes(server)) {
      const body = route.body ? { name: 'x', role: 'viewer', gracePeriodSeconds: 0 } : undefined;
      const response = await asA.call(route.method.toUpperCase(), fillPath(route, ids), body);
      const where = `${route.method.toUpperCase()} ${route.path}`;
      expect(response.status, where).toBe(404);
      expect(response.error, where).toEqual(nowhere.error);
      expectNothingOfB(response.text, where);
    }
  });

  it("does not find org B's rows from inside org A: keys, projects, tokens, usage scopes", async () => {
    const keyPath = (action = '') => `/api/orgs/${a.orgId}/api-keys/${bKey.apiKey.id}${action}`;
    const attempts = [
      await asA.get(keyPath()),
      await asA.patch(keyPath(), { name: 'hijacked', limits: { usage: [] } }),
      await asA.post(keyPath('/rotate'), { gracePeriodSeconds: 0 }),
      await asA.post(keyPath('/revoke')),
      await asA.delete(keyPath()),
      await asA.get(`/api/orgs/${a.orgId}/projects/${b.projectId}`),
      await asA.get(`/api/orgs/${a.orgId}/projects/${b.projectId}/api-keys`),
      await asA.post(`/api/orgs/${a.orgId}/projects/${b.projectId}/api-keys`, { name: 'planted' }),
      await asA.put(`/api/orgs/${a.orgId}/projects/${b.projectId}/limits`, { usage: [] }),
      await asA.post(`/api/orgs/${a.orgId}/admin-tokens/${bToken.adminToken.id}/revoke`),
      await asA.delete(`/api/orgs/${a.orgId}/admin-tokens/${bToken.adminToken.id}`),
      await asA.get(`/api/orgs/${a.orgId}/usage?scope=project&id=${b.projectId}`),
      await asA.get(`/api/orgs/${a.orgId}/usage?scope=api_key&id=${bKey.apiKey.id}`),
    ];
    for (const [index, response] of attempts.entries()) {
      expect(response.status, `attempt ${index}`).toBe(404);
      expectNothingOfB(response.text, `attempt ${index}`);
    }
    // Org B's key is untouched and still works; its token still exists and works.
    expect(await gatewayStatus(server, bKey.key)).toBe(200);
    const [row] = await queryRows<{ name: string; lookup_id: string; revoked_at: unknown }>(
      server.runtime.database.db,
      sql`select name, lookup_id, revoked_at from api_keys where id = ${bKey.apiKey.id}::uuid`,
    );
    expect(row).toMatchObject({ name: 'b-key', revoked_at: null });
    expect(bKey.apiKey.maskedKey).toContain(row!.lookup_id);
    expect((await apiClient(server, bToken.token).get(`/api/orgs/${b.orgId}`)).status).toBe(200);
  });

  it("refuses org B's member as the owner of org A's key (an id in the body), with 404", async () => {
    const response = await asA.post(`/api/orgs/${a.orgId}/projects/${a.projectId}/api-keys`, {
      name: 'personal',
      ownerMemberId: b.memberId,
    });
    expect(response.status).toBe(404);
    expect(response.error?.code).toBe('member_not_found');
    expectNothingOfB(response.text, 'ownerMemberId');
    const own = await asA.post<IssuedKeyBody>(`/api/orgs/${a.orgId}/projects/${a.projectId}/api-keys`, {
      name: 'personal',
      ownerMemberId: a.memberId,
    });
    expect(own.status).toBe(201);
    expect(own.body.apiKey.ownerMemberId).toBe(a.memberId);
  });

  it('lists only its own org: nothing of org B in any list', async () => {
    for (const path of [
      `/api/orgs/${a.orgId}`,
      `/api/orgs/${a.orgId}/projects`,
      `/api/orgs/${a.orgId}/projects/${a.projectId}/api-keys`,
      `/api/orgs/${a.orgId}/admin-tokens`,
      `/api/orgs/${a.orgId}/usage?period=lifetime`,
    ]) {
      const response = await asA.get(path);
      expect(response.status, path).toBe(200);
      expectNothingOfB(response.text, path);
    }
  });

  it('treats an upper-case spelling of its own org id as the same org', async () => {
    expect((await asA.get(`/api/orgs/${a.orgId.toUpperCase()}`)).status).toBe(200);
  });
});
