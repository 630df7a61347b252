/** The audit chain head through the api: what an org anchors elsewhere, for owners and admins only. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkHash } from '../src/audit/chain.js';
import { queryRows } from '../src/db/rows.js';
import { apiClient, createOrg, mintToken, type ApiClient, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let org: TestOrg;
let admin: ApiClient;
let developer: ApiClient;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'] });
  org = await createOrg(server, 'audit');
  admin = apiClient(server, await mintToken(server, org, 'admin'));
  developer = apiClient(server, await mintToken(server, org, 'developer'));
}, 60_000);
afterAll(async () => server?.stop());

type Head = { seq: number; hash: string; occurredAt: string | null };

describe('GET /api/orgs/:orgId/audit/head', () => {
  it('is the latest event’s position and hash, and moves with every audited change', async () => {
    const before = await admin.get<Head>(`/api/orgs/${org.orgId}/audit/head`);
    expect(before.status).toBe(200);
    expect(before.body.seq).toBeGreaterThan(0);
    const created = await admin.post(`/api/orgs/${org.orgId}/projects`, { name: 'anchored' });
    expect(created.status).toBe(201);
    const after = await admin.get<Head>(`/api/orgs/${org.orgId}/audit/head`);
    expect(after.body.seq).toBe(before.body.seq + 1);
    const [latest] = await queryRows<{ prev_hash: string; hash: string; canonical: string }>(
      server.runtime.database.db,
      sql`select * from portcullis_audit_chain_page(${org.orgId}::uuid, ${before.body.seq}, 1)`,
    );
    expect(latest!.prev_hash).toBe(before.body.hash);
    expect(after.body.hash).toBe(latest!.hash);
    expect(linkHash(before.body.hash, latest!.canonical)).toBe(after.body.hash);
    expect(Date.parse(after.body.occurredAt!)).not.toBeNaN();
  });

  it('is for owners and admins', async () => {
    expect((await developer.get(`/api/orgs/${org.orgId}/audit/head`)).status).toBe(403);
  });
});
