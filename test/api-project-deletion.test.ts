/**
 * Deleting a project (`DELETE /api/orgs/:orgId/projects/:projectId`): only an admin, only with
 * the project's exact name, only in its own org; its keys stop working at once, its request logs
 * stay, and the deletion is audited once.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { requestLogs } from '../src/db/schema/index.js';
import { apiClient, createOrg, eventually, mintToken, type ApiClient, type IssuedKeyBody, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let org: TestOrg;
let other: TestOrg;
let admin: ApiClient;
let developer: ApiClient;

const models = async (key: string) =>
  (await fetch(`${server.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;

beforeAll(async () => {
  server = await startTestServer();
  org = await createOrg(server, 'projdel');
  other = await createOrg(server, 'projdel-other');
  admin = apiClient(server, await mintToken(server, org, 'admin'));
  developer = apiClient(server, await mintToken(server, org, 'developer'));
}, 60_000);
afterAll(async () => server?.stop());

describe('DELETE /api/orgs/:orgId/projects/:projectId', () => {
  it('refuses a developer, a wrong name and another org’s project', async () => {
    const path = `/api/orgs/${org.orgId}/projects/${org.testProjectId}`;
    const byDeveloper = await developer.call('DELETE', path, { confirm: 'sandbox' });
    expect(byDeveloper.status).toBe(403);
    const wrongName = await admin.call('DELETE', path, { confirm: 'Sandbox' });
    expect(wrongName.status).toBe(400);
    expect(wrongName.error?.code).toBe('confirmation_mismatch');
    expect((await admin.call('DELETE', path, {})).status).toBe(400);
    // Another org's project through this org's path: not found, as if it did not exist.
    expect((await admin.call('DELETE', `/api/orgs/${org.orgId}/projects/${other.projectId}`, { confirm: 'app' })).status).toBe(404);
    expect((await admin.get(`/api/orgs/${org.orgId}/projects/${org.testProjectId}`)).status).toBe(200);
  });

  it('deletes the project with its keys, keeps its request logs, and records it once', async () => {
    const issued = await admin.post<IssuedKeyBody>(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`, { name: 'doomed' });
    expect(issued.status).toBe(201);
    const listed = await fetch(`${server.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${issued.body.key}` } });
    expect(listed.status).toBe(200);
    // The request log is written in batches: count only once this request's own row is in, or it
    // could land between the two counts below.
    const listedId = listed.headers.get('x-request-id') ?? '';
    await eventually(async () => {
      const rows = await queryRows<{ n: number }>(
        server.runtime.database.db,
        sql`select count(*)::int as n from request_logs where request_id = ${listedId}`,
      );
      return rows[0]!.n > 0 ? true : undefined;
    });
    const otherKey = await apiClient(server, await mintToken(server, other, 'admin')).post<IssuedKeyBody>(
      `/api/orgs/${other.orgId}/projects/${other.projectId}/api-keys`,
      { name: 'survivor' },
    );
    await server.runtime.gatewayDb.withTenant(org.orgId, (tx) =>
      tx.insert(requestLogs).values({
        orgId: org.orgId,
        projectId: org.projectId,
        apiKeyId: issued.body.apiKey.id,
        requestId: `req_${randomUUID()}`,
        endpoint: '/v1/chat/completions',
        model: 'gpt-4o-mini',
        status: 200,
      }),
    );
    const logsBefore = await queryRows<{ n: number }>(
      server.runtime.database.db,
      sql`select count(*)::int as n from request_logs where project_id = ${org.projectId}`,
    );
    expect(logsBefore[0]!.n).toBeGreaterThan(0);

    const deleted = await admin.call<{ deleted: unknown }>('DELETE', `/api/orgs/${org.orgId}/projects/${org.projectId}`, {
      confirm: 'app',
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted).toEqual({ id: org.projectId, name: 'app', apiKeys: 1 });

    expect(await models(issued.body.key)).toBe(401);
    expect(await models(otherKey.body.key)).toBe(200);
    expect((await admin.get(`/api/orgs/${org.orgId}/projects/${org.projectId}`)).status).toBe(404);
    expect((await admin.call('DELETE', `/api/orgs/${org.orgId}/projects/${org.projectId}`, { confirm: 'app' })).status).toBe(404);
    const logsAfter = await queryRows<{ n: number }>(
      server.runtime.database.db,
      sql`select count(*)::int as n from request_logs where project_id = ${org.projectId}`,
    );
    expect(logsAfter[0]!.n).toBe(logsBefore[0]!.n);
    const events = await admin.get<{ events: { action: string; target: { id: string }; diff: Record<string, unknown> }[] }>(
      `/api/orgs/${org.orgId}/audit/events?action=project.deleted`,
    );
    expect(events.body.events).toEqual([
      expect.objectContaining({ target: { type: 'project', id: org.projectId }, diff: { name: 'app', mode: 'live', apiKeys: 1 } }),
    ]);
  });
});
