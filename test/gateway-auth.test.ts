/** API-key authentication at the gateway, through real HTTP: every way a key can be wrong. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import { systemActor } from '../src/audit/context.js';
import { apiKeys } from '../src/db/schema/index.js';
import { findOrganizationId } from '../src/tenancy/organizations.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let live: string;
let test: string;
let orgId: string;

const ctx = { actor: systemActor('cli', 'test'), requestId: null };

beforeAll(async () => {
  server = await startTestServer({ services: ['gateway'] });
  const org = uniqueName('gw');
  const doc = parseBootstrapText(
    `orgs:\n  - name: ${org}\n    projects:\n      - name: prod\n        apiKeys: [{ name: app }, { name: revoked }, { name: expired, expiresAt: "2020-01-01T00:00:00Z" }]\n      - name: sandbox\n        mode: test\n        apiKeys: [{ name: app }]\n`,
    'b.yaml',
  );
  const result = await applyBootstrap(doc, { db: server.runtime.apiDb, keyring: server.runtime.keyring, ctx });
  const key = (project: string, name: string) => result.apiKeys.find((k) => k.project === project && k.name === name)!.key;
  live = key('prod', 'app');
  test = key('sandbox', 'app');
  orgId = (await findOrganizationId(server.runtime.apiDb, org))!;
  await server.runtime.apiDb.withTenant(orgId, (tx) =>
    tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.name, 'revoked')),
  );
  revoked = key('prod', 'revoked');
  expired = key('prod', 'expired');
});
afterAll(async () => server?.stop());

let revoked: string;
let expired: string;

async function models(headers: Record<string, string>) {
  const response = await fetch(`${server.gatewayUrl}/v1/models`, { headers });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string; type: string }; object?: string },
  };
}

describe('gateway API-key authentication', () => {
  it('accepts a valid key as Bearer and as x-api-key (OpenAI and Anthropic SDK styles)', async () => {
    expect(await models({ authorization: `Bearer ${live}` })).toEqual({ status: 200, body: { object: 'list', data: [] } });
    expect((await models({ 'x-api-key': live })).status).toBe(200);
    expect((await models({ authorization: `Bearer ${test}` })).status).toBe(200);
  });

  it('rejects a missing key with a 401 that says how to send one', async () => {
    const response = await models({});
    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ code: 'missing_api_key', type: 'authentication_error' });
  });

  it('rejects malformed, unknown and wrong-secret keys with the same 401', async () => {
    const wrongSecret = live.slice(0, -4) + (live.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const unknownLookup = live.replace(/^pc_live_[0-9A-Za-z]{12}/, 'pc_live_000000000000');
    const otherKind = live.replace('pc_live_', 'pc_test_');
    const bodies = [];
    for (const key of ['garbage', 'sk-not-ours', wrongSecret, unknownLookup, otherKind, `${live}x`]) {
      const response = await models({ authorization: `Bearer ${key}` });
      expect(response.status, key).toBe(401);
      bodies.push(response.body);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it('rejects revoked and expired keys with their own code', async () => {
    expect((await models({ authorization: `Bearer ${revoked}` })).body.error?.code).toBe('revoked_api_key');
    expect((await models({ authorization: `Bearer ${expired}` })).body.error?.code).toBe('expired_api_key');
  });

  it('answers unknown routes with a JSON 404 in the OpenAI shape, and /v1/messages errors in the Anthropic shape', async () => {
    const unknown = await fetch(`${server.gatewayUrl}/v2/whatever`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: 'not_found_error' } });
    const messages = await fetch(`${server.gatewayUrl}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'nope' } });
    expect(messages.status).toBe(401);
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('refuses oversized bodies with a JSON 413 before reading them', async () => {
    const big = 'x'.repeat(server.runtime.config.gatewayMaxBodyBytes + 1);
    const response = await fetch(`${server.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${live}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const kept = await fetch(`${server.gatewayUrl}/healthz`, { headers: { 'x-request-id': 'trace-123.abc' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-123.abc');
    const replaced = await fetch(`${server.gatewayUrl}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
  });
});
