/** The audit chain head through the api: what an org anchors elsewhere, for owners and admins only. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { operatorCreateToken } from '../src/admin/credential-operations.js';
import { organizations } from '../src/db/schema/index.js';
import { uniqueName } from './support/database.js';
import { linkHash } from '../src/audit/chain.js';
import { checkpointPayload, createCheckpointSigner } from '../src/audit/checkpoint-signing.js';
import { runRetention } from '../src/governance/retention-job.js';
import { queryRows } from '../src/db/rows.js';
import { apiClient, createOrg, mintToken, operatorCtx, type ApiClient, type TestOrg } from './support/api.js';
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

type Verification = { ok: boolean; events: number; head: { seq: number; hash: string } | null; broken?: { seq: number; reason: string } };

describe('GET /api/orgs/:orgId/audit/verify', () => {
  it('recomputes the org’s chain up to its head, finds an edited event, and reads only the caller’s org', async () => {
    const mine = await createOrg(server, 'verify');
    const other = await createOrg(server, 'verify-other');
    const mineAdmin = apiClient(server, await mintToken(server, mine, 'admin'));
    for (const name of ['one', 'two']) expect((await mineAdmin.post(`/api/orgs/${mine.orgId}/projects`, { name })).status).toBe(201);
    const head = (await mineAdmin.get<Head>(`/api/orgs/${mine.orgId}/audit/head`)).body;

    const intact = await mineAdmin.get<Verification>(`/api/orgs/${mine.orgId}/audit/verify`);
    expect(intact.status).toBe(200);
    expect(intact.body).toMatchObject({ ok: true, head: { seq: head.seq, hash: head.hash } });
    expect(intact.body.events).toBe(head.seq);

    // Another org's chain broken: this org's report does not change (it reads its own chain only).
    await server.runtime.database.db.execute(sql`update audit_events set reason = 'tampered' where org_id = ${other.orgId} and seq = 1`);
    expect((await mineAdmin.get<Verification>(`/api/orgs/${mine.orgId}/audit/verify`)).body.ok).toBe(true);
    const otherAdmin = apiClient(server, await mintToken(server, other, 'admin'));
    const otherReport = await otherAdmin.get<Verification>(`/api/orgs/${other.orgId}/audit/verify`);
    expect(otherReport.body).toMatchObject({ ok: false, broken: { seq: 1, reason: 'hash_mismatch' } });

    // An edited event of this org (as someone with database access would do it).
    await server.runtime.database.db.execute(
      sql`update audit_events set action = 'project.deleted' where org_id = ${mine.orgId} and seq = ${head.seq}`,
    );
    const broken = await mineAdmin.get<Verification>(`/api/orgs/${mine.orgId}/audit/verify`);
    expect(broken.body).toMatchObject({ ok: false, broken: { seq: head.seq, reason: 'hash_mismatch' } });
    // Another org's token cannot ask about this org; a developer cannot ask at all.
    expect((await otherAdmin.get(`/api/orgs/${mine.orgId}/audit/verify`)).status).toBe(404);
    expect((await developer.get(`/api/orgs/${org.orgId}/audit/verify`)).status).toBe(403);
  });

  it('is refused to the api role outside a tenant transaction: the function reads no chain without an org', async () => {
    const rows = await server.runtime.apiDb.withRole((tx) =>
      queryRows<{ seq: number }>(tx, sql`select * from portcullis_tenant_audit_chain_page(0, 10)`),
    );
    expect(rows).toEqual([]);
  });
});

type Retention = { plan: string; auditDays: number; auditDaysSetting: number | null; requestLogDays: number; zeroRetention: boolean };

describe('retention settings', () => {
  it('shows the plan’s audit retention, changes request-log retention and zero retention (audited), and refuses audit days below Enterprise', async () => {
    const owner = apiClient(server, await mintToken(server, org, 'owner'));
    const path = `/api/orgs/${org.orgId}/retention`;
    const initial = await admin.get<Retention>(path);
    expect(initial.body).toEqual({ plan: 'free', auditDays: 30, auditDaysSetting: null, requestLogDays: 30, zeroRetention: false });

    const refused = await owner.put(path, { auditDays: 400 });
    expect(refused.status).toBe(400);
    expect(refused.error?.code).toBe('retention_not_configurable');
    expect((await owner.put(path, { requestLogDays: 0 })).status).toBe(400);
    // Owners only: retention decides what evidence exists.
    expect((await admin.put(path, { requestLogDays: 7 })).status).toBe(403);

    const changed = await owner.put<Retention>(path, { requestLogDays: 7, zeroRetention: true });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ requestLogDays: 7, zeroRetention: true, auditDays: 30 });
    expect((await admin.get<Retention>(path)).body).toMatchObject({ requestLogDays: 7, zeroRetention: true });
    const events = await queryRows<{ diff: { from: Retention; to: Retention } }>(
      server.runtime.database.db,
      sql`select diff from audit_events where org_id = ${org.orgId} and action = 'retention.changed'`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.diff.from).toMatchObject({ requestLogDays: 30, zeroRetention: false });
    expect(events[0]!.diff.to).toMatchObject({ requestLogDays: 7, zeroRetention: true });
    // The same again changes nothing and writes nothing.
    await owner.put(path, { requestLogDays: 7 });
    expect(
      (
        await queryRows<{ n: number }>(
          server.runtime.database.db,
          sql`select count(*)::int as n from audit_events where org_id = ${org.orgId} and action = 'retention.changed'`,
        )
      )[0]!.n,
    ).toBe(1);
  });
});

describe('the head after retention', () => {
  it('carries the latest signed checkpoint and the public key that verifies it, with no trust in the database', async () => {
    // An org whose first events are old (retention cuts a chain from its start).
    const pruned = { orgId: randomUUID(), orgName: uniqueName('pruned') };
    await server.runtime.apiDb.withTenant(pruned.orgId, (tx) =>
      tx.insert(organizations).values({ id: pruned.orgId, name: pruned.orgName }),
    );
    for (const age of [120, 90])
      await server.runtime.database.db.execute(
        sql`insert into audit_events (org_id, occurred_at, actor_type, action, outcome) values (${pruned.orgId}, now() - make_interval(days => ${age}), 'system', 'project.updated', 'success')`,
      );
    const deps = { db: server.runtime.apiDb, bus: server.runtime.bus, logger: server.runtime.logger };
    const issued = await operatorCreateToken(deps, { org: pruned.orgName, name: 'auditor', role: 'admin' }, operatorCtx);
    const prunedAdmin = apiClient(server, issued.token);
    const signer = createCheckpointSigner(server.runtime.secrets.authSecret);
    const logger = server.runtime.logger;
    await runRetention({ db: server.runtime.apiDb, signer, logger, host: 'test' });
    const head = await prunedAdmin.get<{
      checkpoint: { seq: number; hash: string; prunedAt: string; signature: string; keyId: string } | null;
      checkpointKey: { keyId: string; publicKeyPem: string } | null;
    }>(`/api/orgs/${pruned.orgId}/audit/head`);
    const { checkpoint, checkpointKey } = head.body;
    expect(checkpoint).not.toBeNull();
    expect(checkpointKey?.keyId).toBe(checkpoint!.keyId);
    const payload = checkpointPayload({
      chain: pruned.orgId,
      seq: checkpoint!.seq,
      hash: checkpoint!.hash,
      prunedAt: new Date(checkpoint!.prunedAt),
    });
    const key = createPublicKey(checkpointKey!.publicKeyPem);
    expect(verify(null, payload, key, Buffer.from(checkpoint!.signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.concat([payload, Buffer.from(' ')]), key, Buffer.from(checkpoint!.signature, 'base64'))).toBe(false);
  }, 120_000); // runRetention walks every org of the shared database: slow on PostgreSQL under a full suite
});
