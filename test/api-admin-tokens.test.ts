/**
 * Admin tokens as an attacker and an operator meet them: how the api authenticates them, what a
 * refusal looks like, and how fast a revocation bites — on this replica and on another one.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCredential } from '../src/crypto/api-key.js';
import { adminTokens, auditEvents } from '../src/db/schema/index.js';
import {
  apiClient,
  createOrg,
  mintToken,
  nextBusEvent,
  startApiReplica,
  type IssuedKeyBody,
  type IssuedTokenBody,
  type TestOrg,
} from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let org: TestOrg;
let ownerToken: string;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'] });
  org = await createOrg(server, 'tokens');
  ownerToken = await mintToken(server, org, 'owner');
});
afterAll(async () => server?.stop());

const orgPath = () => `/api/orgs/${org.orgId}`;
const tokensPath = () => `/api/orgs/${org.orgId}/admin-tokens`;

async function tokenRow(token: string) {
  const lookupId = parseCredential(token)!.lookupId;
  const [row] = await server.runtime.apiDb.withTenant(org.orgId, (tx) =>
    tx.select().from(adminTokens).where(eq(adminTokens.lookupId, lookupId)),
  );
  return row!;
}

describe('admin-token authentication', () => {
  it('refuses every bad credential with the same 401, and says nothing about which part was wrong', async () => {
    const real = parseCredential(ownerToken)!;
    const wrongSecret = `pc_admin_${real.lookupId}_${'x'.repeat(48)}`;
    const unknownLookup = `pc_admin_${'Z'.repeat(12)}_${real.secret}`;
    const liveKeyShape = `pc_live_${real.lookupId}_${real.secret}`;
    const refusals = await Promise.all(
      [wrongSecret, unknownLookup, liveKeyShape, 'garbage', `${ownerToken}x`].map((t) => apiClient(server, t).get(orgPath())),
    );
    for (const refusal of refusals) {
      expect(refusal.status).toBe(401);
      expect(refusal.error).toEqual({ message: 'Invalid admin token.', type: 'authentication_error', code: 'invalid_token' });
      expect(refusal.headers.get('www-authenticate')).toBe('Bearer realm="portcullis"');
    }
    const missing = await apiClient(server, undefined).get(orgPath());
    expect(missing.status).toBe(401);
    expect(missing.error?.code).toBe('missing_token');
    // Even a path that matches no route needs a credential: the api does not list its routes to strangers.
    expect((await apiClient(server, undefined).get('/api/nothing-here')).status).toBe(401);
    expect((await apiClient(server, ownerToken).get('/api/nothing-here')).status).toBe(404);
  });

  it('serves first-run setup and the OpenAPI document without a credential', async () => {
    expect((await apiClient(server, undefined).get('/api/setup')).status).toBe(200);
    expect((await apiClient(server, undefined).get('/api/openapi.json')).status).toBe(200);
  });

  it('creates a token that works at once, shown in full only by the create call, and audits it', async () => {
    const owner = apiClient(server, ownerToken);
    const created = await owner.post<IssuedTokenBody>(tokensPath(), { name: 'deploy-bot', role: 'developer' });
    expect(created.status, created.text).toBe(201);
    expect(created.body.token).toMatch(/^pc_admin_[0-9A-Za-z]{12}_[0-9A-Za-z]{48}$/);
    expect(created.body.adminToken).toMatchObject({
      name: 'deploy-bot',
      role: 'developer',
      status: 'active',
      last4: created.body.token.slice(-4),
    });
    const me = await apiClient(server, created.body.token).get<{ yourRole: string }>(orgPath());
    expect(me.status).toBe(200);
    expect(me.body.yourRole).toBe('developer');

    const list = await owner.get(tokensPath());
    expect(list.text).toContain(created.body.adminToken.maskedToken);
    expect(list.text).not.toContain(created.body.token);
    expect(list.text).not.toContain(parseCredential(created.body.token)!.secret);

    const [event] = await server.runtime.apiDb.withTenant(org.orgId, (tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.targetId, created.body.adminToken.id)),
    );
    expect(event).toMatchObject({ action: 'admin_token.created', actorType: 'token', outcome: 'success' });
    expect(JSON.stringify(event?.diff)).not.toContain(parseCredential(created.body.token)!.secret);
  });

  it('a revoked token is refused on its next request, with a message that says so', async () => {
    const owner = apiClient(server, ownerToken);
    const created = await owner.post<IssuedTokenBody>(tokensPath(), { name: 'to-revoke', role: 'viewer' });
    const victim = apiClient(server, created.body.token);
    expect((await victim.get(orgPath())).status).toBe(200); // verified and cached
    expect((await owner.post(`${tokensPath()}/${created.body.adminToken.id}/revoke`)).status).toBe(200);
    const refused = await victim.get(orgPath());
    expect(refused.status).toBe(401);
    expect(refused.error).toMatchObject({ code: 'revoked_token', message: 'This admin token has been revoked.' });
  });

  it('a token revoked through one api replica is refused by another that had it cached (org.changed on the bus)', async () => {
    const replica = await startApiReplica(server);
    try {
      const created = await apiClient(server, ownerToken).post<IssuedTokenBody>(tokensPath(), { name: 'replicated', role: 'viewer' });
      const onReplica = apiClient(replica, created.body.token);
      expect((await onReplica.get(orgPath())).status).toBe(200); // now cached on the replica
      const delivered = nextBusEvent(server, (e) => e.type === 'org.changed' && e.orgId === org.orgId);
      expect((await apiClient(server, ownerToken).delete(`${tokensPath()}/${created.body.adminToken.id}`)).status).toBe(204);
      await delivered;
      const refused = await onReplica.get(orgPath());
      expect(refused.status).toBe(401);
      expect(refused.error?.code).toBe('invalid_token'); // deleted: it no longer exists
    } finally {
      await replica.close();
    }
  });

  it('an expired token is refused with a message that says so', async () => {
    const created = await apiClient(server, ownerToken).post<IssuedTokenBody>(tokensPath(), {
      name: 'short-lived',
      role: 'viewer',
      // Long enough for the first call on a loaded machine (a bcrypt under contention).
      expiresAt: new Date(Date.now() + 4_000).toISOString(),
    });
    const expiresAt = Date.now() + 4_000;
    const token = apiClient(server, created.body.token);
    expect((await token.get(orgPath())).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 200));
    const refused = await token.get(orgPath());
    expect(refused.status).toBe(401);
    expect(refused.error).toMatchObject({ code: 'expired_token', message: 'This admin token has expired.' });
  });

  it('records when a token was last used, at most once a minute', async () => {
    const token = await mintToken(server, org, 'viewer');
    expect((await tokenRow(token)).lastUsedAt).toBeNull();
    expect((await apiClient(server, token).get(orgPath())).status).toBe(200);
    const first = (await tokenRow(token)).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    expect(Math.abs(first!.getTime() - Date.now())).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 20));
    expect((await apiClient(server, token).get(orgPath())).status).toBe(200);
    expect((await tokenRow(token)).lastUsedAt).toEqual(first);
  });

  it('the token an api key was created with is its audit actor, not anyone else', async () => {
    const token = await mintToken(server, org, 'developer');
    const response = await apiClient(server, token).post<IssuedKeyBody>(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`, {
      name: 'by-dev',
    });
    const [event] = await server.runtime.apiDb.withTenant(org.orgId, (tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.targetId, response.body.apiKey.id)),
    );
    expect(event?.actorId).toBe((await tokenRow(token)).id);
  });

  it('refuses a duplicate token name with 409', async () => {
    const owner = apiClient(server, ownerToken);
    expect((await owner.post(tokensPath(), { name: 'twice', role: 'viewer' })).status).toBe(201);
    const again = await owner.post(tokensPath(), { name: 'twice', role: 'viewer' });
    expect(again.status).toBe(409);
    expect(again.text).not.toContain('pc_admin_');
  });
});
