/**
 * The org export (`GET /api/orgs/:orgId/export`): JSON Lines of everything the org holds — its
 * projects, members, keys (metadata only), request logs, guardrail events, usage and audit
 * trail — and nothing of another org (a bystander with distinctive names is grepped for in the
 * whole output), no secret (the full API key, provider key plaintext, key hashes), stored bodies
 * only with `include=bodies`, owner only, each export audited once before its first byte.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorCreateToken } from '../src/admin/credential-operations.js';
import { systemActor } from '../src/audit/context.js';
import type { Role } from '../src/auth/permissions.js';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import { queryRows } from '../src/db/rows.js';
import { findOrganizationId } from '../src/tenancy/organizations.js';
import { eventually, startApiReplica } from './support/api.js';
import { uniqueName } from './support/database.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';

const ctx = { actor: systemActor('cli', 'test-host'), requestId: null };
type Line = { type: string } & Record<string, unknown>;

describe('GET /api/orgs/:orgId/export', () => {
  let fx: GatewayFixture;
  let api: { apiUrl: string; close(): Promise<void> };
  const tokens = {} as Record<Role, string>;
  const marker = `exported-prompt-${randomUUID()}`;
  const member = { id: `user-${randomUUID()}`, email: `ada-${randomUUID()}@example.com`, name: 'Ada Export' };
  let other: { orgId: string; orgName: string; apiKey: string; ownerToken: string; marker: string; memberEmail: string };

  const owner = () => fx.server.runtime.database.db;
  const mint = async (org: string, role: Role) =>
    (
      await operatorCreateToken(
        { db: fx.server.runtime.apiDb, bus: fx.server.runtime.bus, logger: fx.server.runtime.logger },
        { org, name: uniqueName(role), role },
        ctx,
      )
    ).token;
  const chat = async (apiKey: string, content: string) => {
    const response = await fetch(`${fx.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content }] }),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const download = async (token: string, orgId: string, query = '') => {
    const response = await fetch(`${api.apiUrl}/api/orgs/${orgId}/export${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const parse = (text: string): Line[] =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Line);
  const exportsRecorded = (orgId: string) =>
    queryRows<{ actor_type: string; diff: Record<string, unknown> }>(
      owner(),
      sql`select actor_type, diff from audit_events where org_id = ${orgId} and action = 'org.exported' order by seq`,
    );
  const addMember = async (orgId: string, user: { id: string; email: string; name: string }) => {
    await owner().execute(sql`insert into users (id, name, email) values (${user.id}, ${user.name}, ${user.email})`);
    await owner().execute(sql`insert into members (org_id, user_id, role) values (${orgId}, ${user.id}, 'developer')`);
  };
  const addGuardrailEvent = (orgId: string, rule: string) =>
    owner().execute(
      sql`insert into guardrail_events (org_id, request_id, direction, detector, finding_type, action) values (${orgId}, ${`req-${randomUUID()}`}, 'input', 'custom', ${rule}, 'log')`,
    );

  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { logBodies: true } });
    api = await startApiReplica(fx.server);
    for (const role of ['owner', 'admin', 'developer'] as const) tokens[role] = await mint(fx.orgName, role);
    const { runtime } = fx.server;
    const orgName = uniqueName('zebra-bystander');
    const doc = {
      orgs: [
        {
          name: orgName,
          providerKeys: [{ provider: 'openai', key: fx.openai.apiKey, baseUrl: fx.openai.baseUrl }],
          projects: [{ name: 'okapi-secret-project', settings: { logBodies: true }, apiKeys: [{ name: 'okapi-key' }] }],
        },
      ],
    };
    const result = await applyBootstrap(parseBootstrapText(stringify(doc), 'other.yaml'), {
      db: runtime.apiDb,
      keyring: runtime.keyring,
      ctx,
    });
    const otherId = (await findOrganizationId(runtime.apiDb, orgName))!;
    other = {
      orgId: otherId,
      orgName,
      apiKey: result.apiKeys[0]!.key,
      ownerToken: await mint(orgName, 'owner'),
      marker: `bystander-prompt-${randomUUID()}`,
      memberEmail: `zebra-${randomUUID()}@example.com`,
    };
    await addMember(fx.orgId, member);
    await addMember(otherId, { id: `user-${randomUUID()}`, email: other.memberEmail, name: 'Zebra Bystander' });
    await addGuardrailEvent(fx.orgId, 'ours-rule');
    await addGuardrailEvent(otherId, 'zebra-rule');
    for (let i = 0; i < 3; i++) expect(await chat(fx.apiKey, `${marker} ${i}`)).toBe(200);
    expect(await chat(other.apiKey, other.marker)).toBe(200);
    const bodies = (orgId: string) => queryRows(owner(), sql`select id from request_bodies where org_id = ${orgId}`);
    await eventually(async () => ((await bodies(fx.orgId)).length >= 3 && (await bodies(otherId)).length >= 1 ? true : undefined), 20_000);
  });
  afterAll(async () => {
    await api?.close();
    await fx?.stop();
  });

  it('owner only: an admin or developer gets 403, another org 404, a bad parameter 400, none of them audited', async () => {
    for (const role of ['admin', 'developer'] as const) {
      const refused = await download(tokens[role], fx.orgId);
      expect(refused.status, role).toBe(403);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'permission_denied' } });
    }
    expect((await download(other.ownerToken, fx.orgId)).status).toBe(404);
    expect((await download(tokens.owner, fx.orgId, '?include=secrets')).status).toBe(400);
    expect((await download(tokens.owner, fx.orgId, '?format=csv')).status).toBe(400);
    expect(await exportsRecorded(fx.orgId)).toEqual([]);
  });

  it('streams everything of the org, nothing of another, no secret, and is audited once', async () => {
    const response = await download(tokens.owner, fx.orgId);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="org-.+\.jsonl"$/);
    const lines = parse(response.text);
    const of = (type: string) => lines.filter((line) => line.type === type);

    expect(of('organization')).toEqual([
      expect.objectContaining({ id: fx.orgId, name: fx.orgName, plan: 'enterprise', deletionScheduledFor: null }),
    ]);
    expect(of('project').map((p) => p.name)).toContain('app');
    expect(of('member')).toEqual([
      expect.objectContaining({ userId: member.id, email: member.email, name: member.name, role: 'developer' }),
    ]);
    const keys = of('api_key');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: 'app', last4: fx.apiKey.slice(-4) });
    expect(fx.apiKey).toContain(String(keys[0]!.lookupId));
    expect(of('admin_token').length).toBeGreaterThanOrEqual(3);
    const providers = of('provider_key');
    expect(providers.map((p) => p.provider)).toEqual(expect.arrayContaining(['openai', 'anthropic', 'gemini']));
    expect(providers.find((p) => p.provider === 'openai')).toMatchObject({ baseUrl: fx.openai.baseUrl, last4: fx.openai.apiKey.slice(-4) });
    const logs = of('request_log');
    expect(logs.filter((l) => l.status === 200).length).toBeGreaterThanOrEqual(3);
    expect(logs.every((l) => !('bodies' in l))).toBe(true);
    expect(of('guardrail_event').map((e) => e.findingType)).toEqual(['ours-rule']);
    expect(of('usage').reduce((n, u) => n + Number(u.requests), 0)).toBeGreaterThanOrEqual(3);
    const events = of('audit_event');
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['api_key.created', 'provider_key.created', 'org.exported']));
    expect(events.at(-1)).toMatchObject({ action: 'org.exported', target: { type: 'org', id: fx.orgId } });
    // Every line has a type the documentation lists; the order is configuration first.
    expect(lines[0]!.type).toBe('organization');

    // Nothing of the bystander, anywhere in the output.
    for (const foreign of [other.orgId, other.orgName, 'okapi-secret-project', 'okapi-key', other.marker, other.memberEmail, 'zebra'])
      expect(response.text, foreign).not.toContain(foreign);
    // No secret: the full API key, provider key plaintext, stored hashes, ciphertext, and no body without include=bodies.
    const hashes = await queryRows<{ secret_hash: string }>(
      owner(),
      sql`select secret_hash from api_keys where org_id = ${fx.orgId} union all select secret_hash from admin_tokens where org_id = ${fx.orgId}`,
    );
    expect(hashes.length).toBeGreaterThan(0);
    for (const secret of [
      fx.apiKey,
      fx.openai.apiKey,
      fx.azure.apiKey,
      fx.gemini.apiKey,
      fx.compatible.apiKey,
      ...hashes.map((h) => h.secret_hash),
    ])
      expect(response.text).not.toContain(secret);
    for (const field of ['secretHash', 'secret_hash', 'tokenHash', 'ciphertext', 'wrappedKey', marker])
      expect(response.text).not.toContain(field);

    const recorded = await exportsRecorded(fx.orgId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toEqual({ actor_type: 'token', diff: { format: 'jsonl', include: [] } });
  });

  it('include=bodies adds the stored bodies, decrypted, and says so in its own audit event', async () => {
    const response = await download(tokens.owner, fx.orgId, '?include=bodies');
    expect(response.status, response.text).toBe(200);
    const logs = parse(response.text).filter((line) => line.type === 'request_log');
    const withBodies = logs.filter((l) => (l.bodies as { request: string } | null)?.request.includes(marker));
    expect(withBodies).toHaveLength(3);
    expect(withBodies[0]!.bodies).toMatchObject({ response: expect.any(String) });
    expect(response.text).not.toContain(other.marker);
    expect(response.text).not.toContain(fx.openai.apiKey);
    const recorded = await exportsRecorded(fx.orgId);
    expect(recorded).toHaveLength(2);
    expect(recorded[1]!.diff).toEqual({ format: 'jsonl', include: ['bodies'] });
    expect(await exportsRecorded(other.orgId)).toEqual([]);
  });
});
