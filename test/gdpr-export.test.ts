/**
 * GDPR access and portability: `GET /api/me/export` holds everything Portcullis keeps about the
 * signed-in user and nothing of another user, and never a secret. Two users, each with an own
 * org and both in a shared one, each with sessions, a passkey, a personal key with request logs,
 * audit events in org chains and in the instance chain; the archive of one is searched for every
 * known value of the other and for every stored secret.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accounts,
  apiKeys,
  invitations,
  passkeys,
  requestLogs,
  sessions,
  twoFactors,
  users,
  verifications,
} from '../src/db/schema/index.js';
import type { PersonalExport } from '../src/governance/personal-export/schema.js';
import { apiClient, createOrg, joinOrg, memberIdOf, mintToken, type ApiClient, type IssuedKeyBody, type TestOrg } from './support/api.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

type Person = {
  id: string;
  email: string;
  password: string;
  name: string;
  ip: string;
  userAgent: string;
  passkeyName: string;
  client: ApiClient;
  keyId: string;
  issuedKey: string;
  projectName: string;
};

let server: TestServer;
let own: { a: TestOrg; b: TestOrg };
let shared: TestOrg;
let alice: Person;
let bob: Person;

/** A user in their own org (owner) and the shared one (admin), signed in from their own address, with a failed sign-in first. */
async function person(label: string, ownOrg: TestOrg, ip: string, name: string): Promise<Person> {
  const email = `${uniqueName(label)}@example.test`;
  const user = await createPasswordUser(server, { email, org: { name: ownOrg.orgName, role: 'owner' } });
  await joinOrg(server, email, shared.orgName, 'admin');
  await server.runtime.apiDb.withRole((tx) => tx.update(users).set({ name }).where(eq(users.id, user.id)));
  const userAgent = `${label}-browser/1.0`;
  const headers = { 'x-forwarded-for': ip, 'user-agent': userAgent };
  expect((await signIn(server, email, 'not-the-password-123', { origin: ORIGIN, headers })).status).toBe(401);
  const session = await signIn(server, email, user.password, { origin: ORIGIN, headers });
  expect(session.status).toBe(200);
  const client = sessionApiClient(server, session.cookie!, ORIGIN);
  const projectName = `${label}-project`;
  expect((await client.post(`/api/orgs/${ownOrg.orgId}/projects`, { name: projectName })).status).toBe(201);
  expect((await client.post(`/api/orgs/${shared.orgId}/projects`, { name: `${projectName}-shared` })).status).toBe(201);
  const issued = await client.post<IssuedKeyBody>(`/api/orgs/${shared.orgId}/projects/${shared.projectId}/api-keys`, {
    name: `${label}-personal`,
    ownerMemberId: await memberIdOf(server, shared.orgId, user.id),
  });
  expect(issued.status).toBe(201);
  const passkeyName = `${label}'s laptop`;
  await server.runtime.apiDb.withRole((tx) =>
    tx.insert(passkeys).values({
      id: randomUUID(),
      name: passkeyName,
      userId: user.id,
      publicKey: `PUBKEY-${label}-pQECAyYgASFYIA`,
      credentialID: `CREDID-${label}-${randomUUID()}`,
      counter: 0,
      deviceType: 'singleDevice',
      backedUp: false,
      transports: 'internal',
    }),
  );
  return { ...user, name, ip, userAgent, passkeyName, client, keyId: issued.body.apiKey.id, issuedKey: issued.body.key, projectName };
}

async function logRequests(keyId: string, requestIds: string[]) {
  await server.runtime.gatewayDb.withTenant(shared.orgId, (tx) =>
    tx.insert(requestLogs).values(
      requestIds.map((requestId) => ({
        orgId: shared.orgId,
        projectId: shared.projectId,
        apiKeyId: keyId,
        requestId,
        endpoint: '/v1/chat/completions',
        model: 'gpt-4o-mini',
        status: 200,
        inputTokens: 12,
        outputTokens: 34,
        cacheStatus: 'miss' as const,
        usageSource: 'provider' as const,
      })),
    ),
  );
}

async function exportOf(p: Person) {
  const response = await p.client.get<PersonalExport>('/api/me/export');
  expect(response.status).toBe(200);
  return response;
}

beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, TRUST_PROXY: 'loopback' } });
  own = { a: await createOrg(server, 'gdpra'), b: await createOrg(server, 'gdprb') };
  shared = await createOrg(server, 'gdprs');
  alice = await person('alice', own.a, '203.0.113.10', 'Alice Exporter');
  bob = await person('bob', own.b, '198.51.100.77', 'Bob Bystander');
  await logRequests(alice.keyId, ['req_alice_1', 'req_alice_2']);
  await logRequests(bob.keyId, ['req_bob_1']);
  // A service key's traffic (no owner) is the org's, not anyone's personal data.
  const service = await alice.client.post<IssuedKeyBody>(`/api/orgs/${shared.orgId}/projects/${shared.projectId}/api-keys`, {
    name: 'svc',
  });
  await logRequests(service.body.apiKey.id, ['req_service_1']);
  // Two-factor on for Alice (as the plugin stores it), added after sign-in so the session stays.
  await server.runtime.apiDb.withRole(async (tx) => {
    await tx
      .insert(twoFactors)
      .values({ id: randomUUID(), userId: alice.id, secret: 'ALICE-TOTP-SECRET', backupCodes: 'ALICE-BACKUP-CODES', verified: true });
    await tx.update(users).set({ twoFactorEnabled: true }).where(eq(users.id, alice.id));
    for (const p of [alice, bob])
      await tx.insert(verifications).values({
        id: randomUUID(),
        identifier: `email-verification:HASH-OF-${p.email}`,
        value: JSON.stringify({ userId: p.id, email: p.email }),
        expiresAt: new Date(Date.now() + 3_600_000),
      });
  });
  // Invitations: one to Alice's address from Bob's org, one to Bob's from Alice's org.
  for (const [org, to] of [
    [own.b, alice],
    [own.a, bob],
  ] as const)
    await server.runtime.apiDb.withTenant(org.orgId, (tx) =>
      tx.insert(invitations).values({
        orgId: org.orgId,
        email: to.email,
        role: 'viewer',
        tokenHash: `INVITE-HASH-${to.email}`,
        expiresAt: new Date(Date.now() + 86_400_000),
      }),
    );
}, 120_000);
afterAll(async () => server?.stop());

describe('GET /api/me/export', () => {
  it('is a JSON download of everything about the signed-in user', async () => {
    const response = await exportOf(alice);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="portcullis-personal-data-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const body = response.body;
    expect(body.user).toMatchObject({ id: alice.id, email: alice.email, name: 'Alice Exporter', emailVerified: true });
    expect(body.accounts).toEqual([
      expect.objectContaining({ providerId: 'credential', accountId: alice.id, hasPassword: true, hasProviderTokens: false }),
    ]);
    expect(body.sessions).toEqual([expect.objectContaining({ ipAddress: alice.ip, userAgent: alice.userAgent })]);
    expect(body.passkeys).toEqual([
      expect.objectContaining({ name: alice.passkeyName, deviceType: 'singleDevice', transports: 'internal' }),
    ]);
    expect(body.twoFactor).toEqual({ enabled: true });
    // Kinds and dates only: her pending email-verification link, and the sign-in location record the sign-in made.
    expect(body.pendingVerifications.map((v) => [v.kind, v.count]).sort()).toEqual([
      ['email_verification', 1],
      ['sign_in_locations', 1],
    ]);
    expect(body.memberships).toEqual(
      expect.arrayContaining([
        { orgId: own.a.orgId, orgName: own.a.orgName, role: 'owner', projectAccess: 'all' },
        { orgId: shared.orgId, orgName: shared.orgName, role: 'admin', projectAccess: 'all' },
      ]),
    );
    expect(body.memberships).toHaveLength(2);
    expect(body.invitations).toEqual([expect.objectContaining({ orgId: own.b.orgId, role: 'viewer', acceptedAt: null })]);
    expect(body.apiKeys).toEqual([expect.objectContaining({ id: alice.keyId, orgId: shared.orgId, name: 'alice-personal' })]);
    expect(body.requestLogs.map((l) => l.requestId).sort()).toEqual(['req_alice_1', 'req_alice_2']);
    expect(body.requestLogs[0]).toMatchObject({ inputTokens: 12, outputTokens: 34, cacheStatus: 'miss', usageSource: 'provider' });
    expect(body.truncated).toEqual({ auditEvents: false, requestLogs: false });

    const events = body.auditEvents;
    const instance = (action: string) => events.filter((e) => e.orgId === null && e.action === action);
    // The failed sign-in was recorded by the system about her account; the sign-in and this export by her.
    expect(instance('auth.login_failed')).toEqual([
      expect.objectContaining({ actor: 'system', target: { type: 'user', id: alice.id }, outcome: 'failure', ip: alice.ip }),
    ]);
    expect(instance('auth.login')).toEqual([expect.objectContaining({ actor: 'you', ip: alice.ip, userAgent: alice.userAgent })]);
    expect(instance('user.data_exported').length).toBeGreaterThanOrEqual(1);
    const projectEvents = events.filter((e) => e.action === 'project.created');
    expect(projectEvents.map((e) => e.orgId).sort()).toEqual([own.a.orgId, shared.orgId].sort());
    expect(events.every((e) => e.actor === 'you' || e.orgId === null)).toBe(true);
  });

  it('contains nothing of another user', async () => {
    const { text } = await exportOf(alice);
    const bobsKey = await server.runtime.apiDb.withTenant(shared.orgId, (tx) =>
      tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, bob.keyId)),
    );
    expect(bobsKey).toHaveLength(1);
    for (const value of [
      bob.id,
      bob.email,
      bob.name,
      bob.ip,
      bob.userAgent,
      bob.passkeyName,
      bob.keyId,
      bob.projectName,
      'bob-personal',
      'req_bob_1',
      'req_service_1',
    ])
      expect(text, value).not.toContain(value);
    // And the other way round.
    const bobs = (await exportOf(bob)).text;
    for (const value of [alice.id, alice.email, alice.name, alice.ip, alice.userAgent, alice.passkeyName, alice.keyId, 'req_alice_1'])
      expect(bobs, value).not.toContain(value);
  });

  it('never contains a secret', async () => {
    const { text } = await exportOf(alice);
    const stored = await server.runtime.apiDb.withRole(async (tx) => ({
      password: (await tx.select({ v: accounts.password }).from(accounts).where(eq(accounts.userId, alice.id)))[0]!.v!,
      tokens: (await tx.select({ v: sessions.token }).from(sessions).where(eq(sessions.userId, alice.id))).map((r) => r.v),
      passkey: (
        await tx.select({ k: passkeys.publicKey, c: passkeys.credentialID }).from(passkeys).where(eq(passkeys.userId, alice.id))
      )[0]!,
    }));
    const keyHash = await server.runtime.apiDb.withTenant(
      shared.orgId,
      async (tx) => (await tx.select({ h: apiKeys.secretHash }).from(apiKeys).where(eq(apiKeys.id, alice.keyId)))[0]!,
    );
    expect(stored.tokens.length).toBeGreaterThan(0);
    for (const secret of [
      stored.password,
      ...stored.tokens,
      stored.passkey.k,
      stored.passkey.c,
      'ALICE-TOTP-SECRET',
      'ALICE-BACKUP-CODES',
      `HASH-OF-${alice.email}`,
      `INVITE-HASH-${alice.email}`,
      alice.issuedKey,
      keyHash.h,
      alice.password,
    ])
      expect(text, 'a stored secret').not.toContain(secret);
    expect(text).not.toMatch(/"(password|token|secret|publicKey|secretHash|tokenHash)"\s*:/);
  });

  it('is for signed-in users only: an admin token has no personal data (403 session_required)', async () => {
    const token = await mintToken(server, shared, 'owner');
    const response = await apiClient(server, token).get('/api/me/export');
    expect(response.status).toBe(403);
    expect(response.error?.code).toBe('session_required');
    expect((await apiClient(server, undefined).get('/api/me/export')).status).toBe(401);
  });
});
