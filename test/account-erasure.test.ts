/**
 * GDPR erasure: `DELETE /api/me`. Erin is a member of two orgs, has signed in (and failed once)
 * from her own address and browser, owns a personal API key, minted an admin token, named a
 * passkey, has been invited elsewhere and downloaded her data. After the deletion, no row of any
 * table in the database holds her email, her name, her IP address or her user agent; her keys
 * and tokens are refused; her audit events remain, pseudonymous, and every chain still verifies.
 * Before it: the wrong confirmation, a stale sign-in and being an org's only owner are refused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/chain.js';
import { createCheckpointSigner } from '../src/audit/checkpoint-signing.js';
import { queryRows } from '../src/db/rows.js';
import { findOrganizationId } from '../src/tenancy/organizations.js';
import { adminTokens, apiKeys, invitations, passkeys, sessions, users } from '../src/db/schema/index.js';
import { apiClient, createOrg, joinOrg, memberIdOf, type ApiClient, type IssuedKeyBody, type TestOrg } from './support/api.js';
import { openedAuditRows } from './support/audit.js';
import { uniqueName, usingPostgres } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

let server: TestServer;
let shared: TestOrg;
let erinsOrg: { orgId: string; orgName: string };
let erin: { id: string; email: string; password: string; name: string; ip: string; userAgent: string; client: ApiClient };
let erinKey: string;
let erinKeyId: string;
let erinTokenId: string;
let erinToken: string;
let olivia: { id: string; email: string; ip: string; client: ApiClient };

async function signedIn(email: string, password: string, headers: Record<string, string>): Promise<ApiClient> {
  const session = await signIn(server, email, password, { origin: ORIGIN, headers });
  expect(session.status).toBe(200);
  return sessionApiClient(server, session.cookie!, ORIGIN, headers);
}

/** Every base table of the database, each row as text, searched for a value: what a dump would show. */
async function rowsContaining(value: string): Promise<{ table: string; rows: number }[]> {
  const db = server.runtime.database.db;
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  expect(tables.length).toBeGreaterThan(20);
  const hits: { table: string; rows: number }[] = [];
  for (const { name } of tables) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${sql.identifier(name)} t where position(lower(${value}) in lower(t::text)) > 0`,
    );
    if ((row?.n ?? 0) > 0) hits.push({ table: name, rows: row!.n });
  }
  return hits;
}

const eraseErin = (confirm: string) => erin.client.call<Record<string, unknown>>('DELETE', '/api/me', { confirm });

beforeAll(async () => {
  server = await startTestServer({ env: { PUBLIC_URL: ORIGIN, TRUST_PROXY: 'loopback' } });
  shared = await createOrg(server, 'erase-shared');
  const hex = randomBytes(4).toString('hex');
  // Canonical IPv6 groups (no leading zeros), as the server stores the address.
  const group = () => (0x1000 + (randomBytes(2).readUInt16BE() % 0xe000)).toString(16);
  const name = `Erin ${uniqueName('Eraseme')}`;
  const email = `${uniqueName('erin')}@example.test`;
  const ip = `2001:db8:${group()}:${group()}::17`;
  const userAgent = `ErinBrowser/${hex}`;
  // Her own org, where she is the only owner.
  const ownName = uniqueName('erase-own');
  const user = await createPasswordUser(server, { email, org: { name: ownName, role: 'owner' } });
  erinsOrg = { orgName: ownName, orgId: (await findOrganizationId(server.runtime.apiDb, ownName))! };
  await joinOrg(server, email, shared.orgName, 'admin');
  await server.runtime.apiDb.withRole((tx) => tx.update(users).set({ name }).where(eq(users.id, user.id)));
  const headers = { 'x-forwarded-for': ip, 'user-agent': userAgent };
  expect((await signIn(server, email, 'not-her-password-123', { origin: ORIGIN, headers })).status).toBe(401);
  erin = { ...user, name, ip, userAgent, client: await signedIn(email, user.password, headers) };

  const oliviaUser = await createPasswordUser(server, { org: { name: shared.orgName, role: 'owner' } });
  const oliviaIp = `198.51.100.${1 + (randomBytes(1)[0]! % 250)}`;
  olivia = {
    id: oliviaUser.id,
    email: oliviaUser.email,
    ip: oliviaIp,
    client: await signedIn(oliviaUser.email, oliviaUser.password, { 'x-forwarded-for': oliviaIp, 'user-agent': 'OliviaBrowser/1' }),
  };

  // What Erin leaves behind: a project, a personal key, an admin token, a named passkey, an invitation, an export.
  expect((await erin.client.post(`/api/orgs/${shared.orgId}/projects`, { name: uniqueName('erin-project') })).status).toBe(201);
  const issued = await erin.client.post<IssuedKeyBody>(`/api/orgs/${shared.orgId}/projects/${shared.projectId}/api-keys`, {
    name: 'erin-personal',
    ownerMemberId: await memberIdOf(server, shared.orgId, erin.id),
  });
  expect(issued.status).toBe(201);
  erinKey = issued.body.key;
  erinKeyId = issued.body.apiKey.id;
  const token = await erin.client.post<{ token: string; adminToken: { id: string } }>(`/api/orgs/${shared.orgId}/admin-tokens`, {
    name: uniqueName('erin-token'),
    role: 'developer',
  });
  expect(token.status).toBe(201);
  erinToken = token.body.token;
  erinTokenId = token.body.adminToken.id;
  const passkeyId = randomUUID();
  await server.runtime.apiDb.withRole((tx) =>
    tx.insert(passkeys).values({
      id: passkeyId,
      name: 'first',
      userId: erin.id,
      publicKey: 'PUBKEY-erin',
      credentialID: `CREDID-erin-${randomUUID()}`,
      counter: 0,
      deviceType: 'singleDevice',
      backedUp: false,
    }),
  );
  expect((await erin.client.patch(`/api/me/passkeys/${passkeyId}`, { name: `${name}'s phone` })).status).toBe(200);
  const invited = await olivia.client.post(`/api/orgs/${shared.orgId}/invitations`, {
    email: `${uniqueName('someone-else')}@example.test`,
    role: 'viewer',
  });
  expect(invited.status).toBe(201);
  await server.runtime.apiDb.withTenant(erinsOrg.orgId, (tx) =>
    tx.insert(invitations).values({
      orgId: erinsOrg.orgId,
      email,
      role: 'viewer',
      tokenHash: `INVITE-HASH-${randomUUID()}`,
      expiresAt: new Date(Date.now() + 86_400_000),
    }),
  );
  expect((await erin.client.get('/api/me/export')).status).toBe(200);
}, 120_000);
afterAll(async () => server?.stop());

describe('DELETE /api/me', () => {
  it('stores her personal data in audit events sealed, and shows it opened to an admin', async () => {
    // At rest: no audit row holds her address, IP or user agent in clear…
    for (const value of [erin.email, erin.ip, erin.userAgent])
      expect(
        await queryRows(server.runtime.database.db, sql`select id from audit_events where position(${value} in audit_events::text) > 0`),
      ).toEqual([]);
    // …while the api shows them to whoever may read the org's audit log.
    const listed = await olivia.client.get<{
      events: { actor: { id: string; ip: string | null; userAgent: string | null }; action: string }[];
    }>(`/api/orgs/${shared.orgId}/audit/events?actorId=${erin.id}&action=project.created`);
    expect(listed.status).toBe(200);
    expect(listed.body.events).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ ip: erin.ip, userAgent: erin.userAgent }) }),
    ]);
  });

  it('refuses a wrong confirmation, a stale sign-in, and an only owner', async () => {
    const wrong = await eraseErin('someone@else.test');
    expect(wrong.status).toBe(400);
    expect(wrong.error?.code).toBe('confirmation_mismatch');

    const [current] = await server.runtime.apiDb.withRole((tx) => tx.select().from(sessions).where(eq(sessions.userId, erin.id)));
    await server.runtime.apiDb.withRole((tx) =>
      tx
        .update(sessions)
        .set({ createdAt: new Date(Date.now() - 3_600_000) })
        .where(eq(sessions.id, current!.id)),
    );
    const stale = await eraseErin(erin.email);
    expect(stale.status).toBe(403);
    expect(stale.error?.code).toBe('reauthentication_required');
    await server.runtime.apiDb.withRole((tx) => tx.update(sessions).set({ createdAt: new Date() }).where(eq(sessions.id, current!.id)));

    const soleOwner = await eraseErin(erin.email.toUpperCase());
    expect(soleOwner.status).toBe(409);
    expect(soleOwner.error?.code).toBe('sole_owner');
    expect(soleOwner.body).toMatchObject({ error: { orgs: [{ id: erinsOrg.orgId, name: erinsOrg.orgName }] } });
    // Nothing was touched: she is still a member of both orgs and her key still works.
    expect((await erin.client.get('/api/me')).status).toBe(200);
    expect((await fetch(`${server.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${erinKey}` } })).status).toBe(200);
  });

  it('erases the account once she is no longer an only owner', async () => {
    await joinOrg(server, olivia.email, erinsOrg.orgName, 'owner');
    const erased = await eraseErin(erin.email);
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ deleted: true, memberships: 2, apiKeysRevoked: 1, adminTokensRevoked: 1, invitationsDeleted: 1 });

    // Signed out, and what she held stops working.
    expect((await erin.client.get('/api/me')).status).toBe(401);
    expect((await fetch(`${server.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${erinKey}` } })).status).toBe(401);
    expect((await apiClient(server, erinToken).get(`/api/orgs/${shared.orgId}/projects`)).status).toBe(401);
    const [key] = await server.runtime.apiDb.withTenant(shared.orgId, (tx) => tx.select().from(apiKeys).where(eq(apiKeys.id, erinKeyId)));
    expect(key).toMatchObject({ ownerMemberId: null, revokedAt: expect.any(Date) });
    const [token] = await server.runtime.apiDb.withTenant(shared.orgId, (tx) =>
      tx.select().from(adminTokens).where(eq(adminTokens.id, erinTokenId)),
    );
    expect(token).toMatchObject({ createdByMemberId: null, revokedAt: expect.any(Date) });
  });

  it('leaves no row anywhere with her email, name, IP address or user agent', async () => {
    for (const value of [erin.email, erin.name, erin.ip, erin.userAgent])
      expect({ value, hits: await rowsContaining(value) }).toEqual({ value, hits: [] });
    // The search does find what is still there: Olivia's address, in her own user row.
    expect(await rowsContaining(olivia.email)).toContainEqual({ table: 'users', rows: 1 });
  });

  it('keeps her audit events, pseudonymous, and every chain still verifies', async () => {
    const rows = await openedAuditRows(
      server.runtime.database.db,
      server.runtime.apiDb,
      sql`actor_id = ${erin.id} or (target_type = 'user' and target_id = ${erin.id})`,
    );
    const actions = new Set(rows.map((r) => r.action));
    for (const action of [
      'auth.login_failed',
      'auth.login',
      'project.created',
      'api_key.created',
      'passkey.renamed',
      'user.data_exported',
      'user.deleted',
    ])
      expect(actions).toContain(action);
    // Opened as a reader would: nothing about her can be read any more; other people's data still can.
    expect(rows.filter((r) => r.actor_ip !== null || r.user_agent !== null)).toEqual([]);
    expect(rows.find((r) => r.action === 'passkey.renamed')?.diff).toEqual({ name: null, previousName: null });
    const listed = await olivia.client.get<{ events: { actor: { id: string; ip: string | null } }[] }>(
      `/api/orgs/${shared.orgId}/audit/events?limit=1000`,
    );
    expect(listed.body.events.filter((e) => e.actor.id === erin.id).map((e) => e.actor.ip)).not.toContain(erin.ip);
    expect(listed.body.events.filter((e) => e.actor.id === olivia.id).map((e) => e.actor.ip)).toContain(olivia.ip);

    const signer = createCheckpointSigner(server.runtime.secrets.authSecret);
    for (const org of [shared.orgId, erinsOrg.orgId])
      expect(await verifyChain(server.runtime.database.db, org, signer)).toMatchObject({ ok: true });
    // The instance chain is shared by every test file on PostgreSQL; verified on the embedded database.
    if (!usingPostgres) expect(await verifyChain(server.runtime.database.db, null, signer)).toMatchObject({ ok: true });
  });

  it('answers 401 to a deleted account and leaves other users alone', async () => {
    expect((await eraseErin(erin.email)).status).toBe(401);
    expect((await olivia.client.get('/api/me')).status).toBe(200);
  });
});
