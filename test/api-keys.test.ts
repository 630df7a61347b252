/**
 * The API-key lifecycle through the management api, against a real gateway in the same process:
 * create → the gateway accepts the key → list (masked) → PATCH (audited) → rotate with a grace
 * period → revoke and delete (refused at once, through the bus) — and the full key never shows up
 * again: not in a later response, a table, a log line or an audit diff.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCredential } from '../src/crypto/api-key.js';
import { queryRows } from '../src/db/rows.js';
import { auditEvents, users } from '../src/db/schema/index.js';
import {
  apiClient,
  createOrg,
  eventually,
  gatewayStatus,
  joinOrg,
  memberIdOf,
  mintToken,
  nextBusEvent,
  type ApiClient,
  type IssuedKeyBody,
  type KeyBody,
  type KeyListBody,
  type TestOrg,
} from './support/api.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let org: TestOrg;
let api: ApiClient;
let developerTokenId: string;
/** Every response the api sent, in order, to prove a key is never shown again. */
const transcript: string[] = [];
/** Each issued key with the transcript length right after the response that carried it. */
const issued: { key: string; seenUpTo: number }[] = [];

beforeAll(async () => {
  server = await startTestServer({ services: ['gateway', 'api'] });
  org = await createOrg(server, 'keys');
  const token = await mintToken(server, org, 'developer', 'ci-bot');
  api = apiClient(server, token, transcript);
  const lookupId = parseCredential(token)!.lookupId;
  const [row] = await queryRows<{ id: string }>(server.runtime.database.db, sql`select id from admin_tokens where lookup_id = ${lookupId}`);
  developerTokenId = row!.id;
});
afterAll(async () => server?.stop());

const keysPath = (projectId = org.projectId) => `/api/orgs/${org.orgId}/projects/${projectId}/api-keys`;
const keyPath = (id: string, action = '') => `/api/orgs/${org.orgId}/api-keys/${id}${action}`;

async function createKey(body: Record<string, unknown>, projectId?: string): Promise<IssuedKeyBody> {
  const response = await api.post<IssuedKeyBody>(keysPath(projectId), body);
  expect(response.status, response.text).toBe(201);
  issued.push({ key: response.body.key, seenUpTo: transcript.length });
  return response.body;
}

async function auditOf(targetId: string, action: string) {
  return server.runtime.apiDb.withTenant(org.orgId, (tx) =>
    tx
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, targetId), eq(auditEvents.action, action))),
  );
}

describe('API-key lifecycle over HTTP', () => {
  it('creates a key the gateway accepts at once, returned in full only by the create call', async () => {
    const { apiKey, key } = await createKey({ name: 'ci' });
    expect(transcript.at(-1)).toContain('"cache-control","no-store"'); // no proxy or browser keeps the key
    expect(key).toMatch(/^pc_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{48}$/);
    expect(apiKey.maskedKey).toBe(`pc_live_${parseCredential(key)!.lookupId}_…${key.slice(-4)}`);
    expect(apiKey).toMatchObject({ name: 'ci', kind: 'live', status: 'active', last4: key.slice(-4), lastUsedAt: null, expiresAt: null });
    expect(await gatewayStatus(server, key)).toBe(200);

    const sandbox = await createKey({ name: 'ci' }, org.testProjectId);
    expect(sandbox.key).toMatch(/^pc_test_/);
    expect(await gatewayStatus(server, sandbox.key)).toBe(200);

    // The list shows it masked, and when it was last used — from the request logs, which the
    // gateway writes in batches.
    const listed = await eventually(async () => {
      const list = await api.get<KeyListBody>(keysPath());
      expect(list.status).toBe(200);
      const entry = list.body.apiKeys.find((k) => k.id === apiKey.id);
      return entry?.lastUsedAt ? entry : undefined;
    });
    expect(listed.maskedKey).toBe(apiKey.maskedKey);
    expect(Date.parse(listed.lastUsedAt!)).toBeGreaterThan(Date.parse(apiKey.createdAt) - 1000);
    const one = await api.get<KeyBody>(keyPath(apiKey.id));
    expect(one.body.apiKey).toEqual(listed);
  });

  it('records the creation in the audit trail with the token as actor, the request id, IP and user agent', async () => {
    const response = await api.call<IssuedKeyBody>('POST', keysPath(), { name: 'audited' }, { 'user-agent': 'portcullis-test/1.0' });
    expect(response.status).toBe(201);
    issued.push({ key: response.body.key, seenUpTo: transcript.length });
    const [event] = await auditOf(response.body.apiKey.id, 'api_key.created');
    expect(event).toMatchObject({
      actorType: 'token',
      actorId: developerTokenId,
      actorIp: '127.0.0.1',
      userAgent: 'portcullis-test/1.0',
      requestId: response.headers.get('x-request-id'),
      outcome: 'success',
    });
  });

  it('PATCH changes restrictions and limits, audited with a from/to diff; an unchanged PATCH records nothing', async () => {
    const { apiKey } = await createKey({ name: 'restricted' });
    const limits = { usage: [{ metric: 'spend_usd', period: 'monthly', limit: 25 }], rate: { requestsPerMinute: 60 } };
    const patch = { limits, allowedModels: ['openai/gpt-5.4-mini'], ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'], name: 'restricted-2' };
    const response = await api.patch<KeyBody>(keyPath(apiKey.id), patch);
    expect(response.status, response.text).toBe(200);
    expect(response.body.apiKey).toMatchObject({
      name: 'restricted-2',
      allowedModels: ['openai/gpt-5.4-mini'],
      ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'],
      limits: {
        usage: [{ metric: 'spend_usd', period: 'monthly', limit: 25, alertThresholds: [50, 80, 100] }],
        rate: { requestsPerMinute: 60, tokensPerMinute: null },
      },
    });
    const [event] = await auditOf(apiKey.id, 'api_key.updated');
    expect(event?.requestId).toBe(response.headers.get('x-request-id'));
    expect(event?.diff).toMatchObject({
      name: { from: 'restricted', to: 'restricted-2' },
      allowedModels: { from: null, to: ['openai/gpt-5.4-mini'] },
      limits: { from: { usage: [], rate: { requestsPerMinute: null } }, to: { rate: { requestsPerMinute: 60 } } },
    });

    expect((await api.patch(keyPath(apiKey.id), patch)).status).toBe(200);
    expect(await auditOf(apiKey.id, 'api_key.updated')).toHaveLength(1);

    // null lifts a restriction again.
    const lifted = await api.patch<KeyBody>(keyPath(apiKey.id), { ipAllowlist: null });
    expect(lifted.body.apiKey.ipAllowlist).toBeNull();
  });

  async function gatewayError(key: string): Promise<{ status: number; code?: string; message?: string }> {
    const response = await fetch(`${server.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    return { status: response.status, code: body.error?.code, message: body.error?.message };
  }

  it('rotates with a grace period: the same key gets a new secret, and the old one works until the grace ends', async () => {
    const { apiKey, key: original } = await createKey({ name: 'rotating', limits: { rate: { requestsPerMinute: 1000 } } });
    expect(await gatewayStatus(server, original)).toBe(200); // now cached by the gateway

    const rotated = await api.post<IssuedKeyBody>(keyPath(apiKey.id, '/rotate'), { gracePeriodSeconds: 2 });
    expect(rotated.status, rotated.text).toBe(200);
    issued.push({ key: rotated.body.key, seenUpTo: transcript.length });
    const next = rotated.body.key;
    expect(next).not.toBe(original);
    expect(rotated.body.apiKey).toMatchObject({
      id: apiKey.id,
      status: 'rotating',
      last4: next.slice(-4),
      previousKey: { last4: original.slice(-4) },
      limits: { rate: { requestsPerMinute: 1000 } },
    });
    expect(await gatewayStatus(server, original)).toBe(200);
    expect(await gatewayStatus(server, next)).toBe(200);

    await new Promise((r) => setTimeout(r, 2_100));
    // The old secret after its grace: its own 401, telling the caller a newer key exists.
    expect(await gatewayError(original)).toEqual({
      status: 401,
      code: 'rotated_api_key',
      message: 'This API key was rotated; use the new key.',
    });
    expect(await gatewayStatus(server, next)).toBe(200);
    expect((await api.get<KeyBody>(keyPath(apiKey.id))).body.apiKey).toMatchObject({ status: 'active', previousKey: null });

    // Grace 0: the replaced secret stops on the very next request once the gateway has the
    // api's api_key.changed (over Redis, a few milliseconds later, as for revocation below).
    const delivered = nextBusEvent(server, (e) => e.type === 'api_key.changed' && e.apiKeyId === apiKey.id);
    const again = await api.post<IssuedKeyBody>(keyPath(apiKey.id, '/rotate'), { gracePeriodSeconds: 0 });
    expect(again.status).toBe(200);
    issued.push({ key: again.body.key, seenUpTo: transcript.length });
    await delivered;
    expect(await gatewayError(next)).toMatchObject({ status: 401, code: 'rotated_api_key' });
    expect(await gatewayStatus(server, again.body.key)).toBe(200);
    // One previous secret is kept per key: the first one is now simply unknown.
    expect(await gatewayError(original)).toMatchObject({ status: 401, code: 'invalid_api_key' });

    const events = await auditOf(apiKey.id, 'api_key.rotated');
    expect(events.map((e) => e.diff?.gracePeriodSeconds).sort()).toEqual([0, 2]);
  });

  it('removing a member through the api revokes the keys they own at once; service keys keep working', async () => {
    const email = `${uniqueName('leaver')}@example.test`;
    await joinOrg(server, email, org.orgName, 'developer');
    const [user] = await server.runtime.apiDb.withRole((tx) => tx.select({ id: users.id }).from(users).where(eq(users.email, email)));
    const memberId = await memberIdOf(server, org.orgId, user!.id);
    const owned = await createKey({ name: uniqueName('personal'), ownerMemberId: memberId });
    const service = await createKey({ name: uniqueName('service') });
    // Both verified and cached by the gateway before the removal.
    expect(await gatewayStatus(server, owned.key)).toBe(200);
    expect(await gatewayStatus(server, service.key)).toBe(200);

    const admin = apiClient(server, await mintToken(server, org, 'admin'));
    const delivered = nextBusEvent(server, (e) => e.type === 'api_key.changed' && e.apiKeyId === owned.apiKey.id);
    const removed = await admin.call('DELETE', `/api/orgs/${org.orgId}/members/${memberId}`);
    expect(removed.status, removed.text).toBe(204);
    await delivered;

    expect(await gatewayError(owned.key)).toMatchObject({ status: 401, code: 'revoked_api_key' });
    expect(await gatewayStatus(server, service.key)).toBe(200);
    expect((await api.get<KeyBody>(keyPath(owned.apiKey.id))).body.apiKey).toMatchObject({ status: 'revoked' });
    expect((await api.get<KeyBody>(keyPath(service.apiKey.id))).body.apiKey).toMatchObject({ status: 'active' });
    expect(await auditOf(owned.apiKey.id, 'api_key.revoked')).toHaveLength(1);
    expect(await auditOf(service.apiKey.id, 'api_key.revoked')).toHaveLength(0);
  });

  it('revocation takes effect on the next gateway request, through the bus and not by waiting out a cache TTL', async () => {
    const { apiKey, key } = await createKey({ name: 'to-revoke' });
    expect(await gatewayStatus(server, key)).toBe(200); // cached for a minute by the gateway
    const delivered = nextBusEvent(server, (e) => e.type === 'api_key.changed' && e.apiKeyId === apiKey.id);
    const revoked = await api.post<KeyBody>(keyPath(apiKey.id, '/revoke'));
    expect(revoked.status).toBe(200);
    expect(revoked.body.apiKey.status).toBe('revoked');
    await delivered;
    expect(await gatewayStatus(server, key)).toBe(401);
    expect((await api.post(keyPath(apiKey.id, '/rotate'), { gracePeriodSeconds: 0 })).status).toBe(409);
    // Revoking again changes nothing and records nothing more.
    expect((await api.post(keyPath(apiKey.id, '/revoke'))).status).toBe(200);
    expect(await auditOf(apiKey.id, 'api_key.revoked')).toHaveLength(1);
  });

  it('a key stops working at its expiry', async () => {
    const { apiKey, key } = await createKey({ name: 'short-lived', expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect(await gatewayStatus(server, key)).toBe(200);
    await new Promise((r) => setTimeout(r, 1_600));
    expect(await gatewayStatus(server, key)).toBe(401);
    expect((await api.get<KeyBody>(keyPath(apiKey.id))).body.apiKey.status).toBe('expired');
    // Rotating would print a key that never works; extending the expiry brings it back.
    const rotate = await api.post(keyPath(apiKey.id, '/rotate'), { gracePeriodSeconds: 0 });
    expect(rotate.status).toBe(409);
    expect(rotate.error?.code).toBe('api_key_expired');
    // The gateway drops its cached verdict when the change reaches it (Redis pub/sub: asynchronous).
    const delivered = nextBusEvent(server, (e) => e.type === 'api_key.changed' && e.apiKeyId === apiKey.id);
    const extended = await api.patch<KeyBody>(keyPath(apiKey.id), { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(extended.body.apiKey.status).toBe('active');
    await delivered;
    expect(await gatewayStatus(server, key)).toBe(200);
  });

  it('DELETE removes the key: the gateway refuses it, the api no longer finds it, the audit trail keeps it', async () => {
    const { apiKey, key } = await createKey({ name: 'to-delete' });
    expect(await gatewayStatus(server, key)).toBe(200);
    const delivered = nextBusEvent(server, (e) => e.type === 'api_key.changed' && e.apiKeyId === apiKey.id);
    const deleted = await api.delete(keyPath(apiKey.id));
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    await delivered;
    expect(await gatewayStatus(server, key)).toBe(401);
    expect((await api.get(keyPath(apiKey.id))).status).toBe(404);
    expect(await auditOf(apiKey.id, 'api_key.deleted')).toHaveLength(1);
  });

  it('refuses a duplicate name with 409 and unknown ids with 404', async () => {
    await createKey({ name: 'unique' });
    const duplicate = await api.post(keysPath(), { name: 'unique' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.error?.code).toBe('name_taken');
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await api.get(keyPath(missing))).status).toBe(404);
    expect((await api.post(keyPath(missing, '/rotate'), { gracePeriodSeconds: 0 })).status).toBe(404);
    expect((await api.get(keysPath(missing))).status).toBe(404);
  });

  it('never shows a key again: not in a later response, a table, a log line or an audit diff', async () => {
    expect(issued.length).toBeGreaterThan(8);
    const secrets = issued.flatMap(({ key }) => [key, parseCredential(key)!.secret]);

    for (const { key, seenUpTo } of issued) {
      const secret = parseCredential(key)!.secret;
      for (const later of transcript.slice(seenUpTo)) {
        expect(later).not.toContain(key);
        expect(later).not.toContain(secret);
      }
    }

    const tables = await queryRows<{ table_name: string }>(
      server.runtime.database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    );
    let dump = '';
    for (const { table_name } of tables) {
      const rows = await queryRows(server.runtime.database.db, sql`select * from ${sql.identifier(table_name)}`);
      dump += JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    }
    expect(dump).toContain('api_key.rotated'); // the dump did include the audit trail
    for (const secret of secrets) expect(dump).not.toContain(secret);

    const logs = server.logLines.join('\n');
    expect(logs).toContain('/api-keys');
    for (const secret of secrets) expect(logs).not.toContain(secret);

    const diffs = await queryRows<{ diff: unknown }>(
      server.runtime.database.db,
      sql`select diff from audit_events where org_id = ${org.orgId}::uuid and action like 'api_key.%'`,
    );
    const diffText = JSON.stringify(diffs);
    expect(diffText).toContain('lookupId');
    for (const secret of secrets) expect(diffText).not.toContain(secret);
  });
});
