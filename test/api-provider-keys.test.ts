/**
 * Provider keys through the management api, against a real gateway in the same process and fake
 * providers on loopback: create → the gateway uses the key → PATCH (new key, new base URL: the
 * next gateway request goes there with the new key) → DELETE (the gateway fails over, then has
 * no key) — and the key never comes back: not in a response, a header, a log line, an audit diff
 * or a database column. "Test connection" goes through the gateway with a short-lived API key
 * that is revoked afterwards.
 */
import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decryptProviderKey } from '../src/credentials/provider-keys.js';
import type { ProviderKeyView } from '../src/credentials/provider-key-view.js';
import { queryRows } from '../src/db/rows.js';
import { apiKeys, auditEvents, providerKeys, tenantKeys } from '../src/db/schema/index.js';
import type { BusEvent } from '../src/events/event-bus.js';
import { FAKE_ANTHROPIC_API_KEY, startFakeAnthropic } from './fakes/anthropic.js';
import type { FakeUpstream } from './fakes/fake-upstream.js';
import { DEFAULT_FAKE_OPENAI_KEY, startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import {
  apiClient,
  createOrg,
  eventually,
  gatewayStatus,
  mintToken,
  nextBusEvent,
  startApiReplica,
  type ApiClient,
  type IssuedKeyBody,
  type TestOrg,
} from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

type OneBody = { providerKey: ProviderKeyView };
type ListBody = { providerKeys: ProviderKeyView[] };
type TestBody = {
  ok: boolean;
  status: number;
  provider: string;
  model: string;
  latencyMs: number;
  error?: { code: string | null; message: string };
};

const SECOND_OPENAI_KEY = 'sk-fake-second-openai-key-7788';
/** Created, changed and deleted, never used by the gateway: its log scrubber never learns it. */
const UNUSED_KEY = 'sk-never-used-provider-key-4242';
const UNUSED_KEY_2 = 'sk-never-used-provider-key-5353';
const WRONG_KEY = 'sk-wrong-compatible-key-1111';
const AZURE_KEY = 'azure-fake-provider-key-9090';

let server: TestServer;
let orgA: TestOrg;
let orgB: TestOrg;
let admin: ApiClient;
let developer: ApiClient;
let viewer: ApiClient;
let adminB: ApiClient;
let fakeA: FakeOpenAI;
let fakeB: FakeOpenAI;
let anthropic: FakeUpstream;
let azure: FakeOpenAI;
/** A pc_live_ key of org A's `app` project, for gateway requests. */
let appKey: string;
/** Every api response (headers and body), to prove no key is ever shown. */
const transcript: string[] = [];
/** Test keys minted by the api, captured on their way to the gateway. */
const minted: string[] = [];

beforeAll(async () => {
  [fakeA, fakeB, anthropic, azure] = await Promise.all([
    startFakeOpenAI(),
    startFakeOpenAI({ apiKey: SECOND_OPENAI_KEY }),
    startFakeAnthropic(),
    startFakeOpenAI({ flavour: 'azure', apiKey: AZURE_KEY }),
  ]);
  server = await startTestServer({ services: ['gateway', 'api'] });
  orgA = await createOrg(server, 'pk');
  orgB = await createOrg(server, 'pk-other');
  admin = apiClient(server, await mintToken(server, orgA, 'admin'), transcript);
  developer = apiClient(server, await mintToken(server, orgA, 'developer'), transcript);
  viewer = apiClient(server, await mintToken(server, orgA, 'viewer'), transcript);
  adminB = apiClient(server, await mintToken(server, orgB, 'admin'), transcript);
  const issued = await admin.post<IssuedKeyBody>(`/api/orgs/${orgA.orgId}/projects/${orgA.projectId}/api-keys`, { name: 'app' });
  expect(issued.status, issued.text).toBe(201);
  appKey = issued.body.key;
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([fakeA, fakeB, anthropic, azure].map((f) => f?.close()));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const keysPath = (org: TestOrg = orgA) => `/api/orgs/${org.orgId}/provider-keys`;
const keyPath = (id: string, org: TestOrg = orgA, action = '') => `/api/orgs/${org.orgId}/provider-keys/${id}${action}`;

/**
 * Resolves once this process's bus delivered a provider_key.changed of org A (at once in memory, a
 * hop over Redis): after it, the gateway has dropped what it held about the org's keys.
 */
const changed = (id?: string) =>
  nextBusEvent(
    server,
    (e: BusEvent) => e.type === 'provider_key.changed' && e.orgId === orgA.orgId && (id === undefined || e.providerKeyId === id),
  );

/** POST as org A's admin; waits until the gateway heard of the new key. */
async function postKey(body: Record<string, unknown>) {
  const delivered = changed();
  const response = await admin.post<OneBody>(keysPath(), body);
  expect(response.status, response.text).toBe(201);
  await delivered;
  return response;
}

const createKey = async (body: Record<string, unknown>): Promise<ProviderKeyView> => (await postKey(body)).body.providerKey;

async function chat(model: string): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${server.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code };
}

const lastAuth = (fake: FakeUpstream) => fake.requests.at(-1)?.headers.authorization;

async function auditOf(targetId: string, action: string) {
  return server.runtime.apiDb.withTenant(orgA.orgId, (tx) =>
    tx
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, targetId), eq(auditEvents.action, action))),
  );
}

/** Runs `test connection`, capturing the API key the api sent to the gateway. */
async function testConnection(id: string, body: Record<string, unknown>, client = admin) {
  const fetchSpy = vi.spyOn(globalThis, 'fetch');
  const response = await client.post<TestBody>(keyPath(id, orgA, '/test'), body);
  const sent = fetchSpy.mock.calls
    .filter(([url]) => (typeof url === 'string' ? url : url instanceof URL ? url.href : url.url).startsWith(`${server.gatewayUrl}/v1/`))
    .map(([, init]) => new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, ''))
    .filter((key): key is string => key !== undefined);
  minted.push(...sent);
  fetchSpy.mockRestore();
  return { response, sent };
}

describe('provider keys over HTTP', () => {
  it('creates a key (write-only), which the gateway uses at once', async () => {
    const created = await postKey({ provider: 'openai', key: DEFAULT_FAKE_OPENAI_KEY, baseUrl: fakeA.baseUrl });
    expect(transcript.at(-1)).toContain('"cache-control","no-store"');
    const key = created.body.providerKey;
    expect(Object.keys(key).sort()).toEqual([
      'baseUrl',
      'createdAt',
      'id',
      'label',
      'last4',
      'options',
      'projectIds',
      'provider',
      'updatedAt',
    ]);
    expect(key).toMatchObject({ provider: 'openai', label: 'openai', baseUrl: fakeA.baseUrl, options: {}, projectIds: [] });
    expect(key.last4).toBe(DEFAULT_FAKE_OPENAI_KEY.slice(-4));

    expect(await chat('openai/gpt-5.4-mini')).toMatchObject({ status: 200 });
    expect(lastAuth(fakeA)).toBe(`Bearer ${DEFAULT_FAKE_OPENAI_KEY}`);

    const list = await developer.get<ListBody>(keysPath());
    expect(list.status).toBe(200);
    expect(list.body.providerKeys.find((k) => k.id === key.id)).toEqual(key);
    expect((await developer.get<OneBody>(keyPath(key.id))).body.providerKey).toEqual(key);

    const [event] = await auditOf(key.id, 'provider_key.created');
    expect(event?.requestId).toBe(created.headers.get('x-request-id'));
    expect(event?.diff).toMatchObject({ provider: 'openai', last4: key.last4 });
  });

  it('PATCH replaces key and base URL: the next gateway request reaches the new URL with the new key', async () => {
    const key = (await admin.get<ListBody>(keysPath())).body.providerKeys.find((k) => k.provider === 'openai')!;
    const before = fakeA.requests.length;
    const delivered = changed(key.id);
    const patched = await admin.patch<OneBody>(keyPath(key.id), { key: SECOND_OPENAI_KEY, baseUrl: fakeB.baseUrl });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.providerKey).toMatchObject({ id: key.id, baseUrl: fakeB.baseUrl, last4: SECOND_OPENAI_KEY.slice(-4) });
    await delivered;

    expect(await chat('openai/gpt-5.4-mini')).toMatchObject({ status: 200 });
    expect(lastAuth(fakeB)).toBe(`Bearer ${SECOND_OPENAI_KEY}`);
    expect(fakeA.requests.length).toBe(before);

    const [event] = await auditOf(key.id, 'provider_key.updated');
    expect(event?.requestId).toBe(patched.headers.get('x-request-id'));
    expect(event?.diff).toEqual({
      last4: { from: DEFAULT_FAKE_OPENAI_KEY.slice(-4), to: SECOND_OPENAI_KEY.slice(-4) },
      keyReplaced: true,
      baseUrl: { from: fakeA.baseUrl, to: fakeB.baseUrl },
    });

    // The row holds ciphertext under the org's active data key, and nothing readable of the key.
    await server.runtime.apiDb.withTenant(orgA.orgId, async (tx) => {
      const [row] = await tx.select().from(providerKeys).where(eq(providerKeys.id, key.id));
      const [active] = await tx.select().from(tenantKeys).where(eq(tenantKeys.status, 'active'));
      expect(row!.tenantKeyId).toBe(active!.id);
      expect(Buffer.isBuffer(row!.ciphertext)).toBe(true);
      expect(row!.ciphertext.toString('latin1')).not.toContain(SECOND_OPENAI_KEY);
      expect(JSON.stringify({ ...row, ciphertext: null })).not.toContain(SECOND_OPENAI_KEY);
      expect(await decryptProviderKey(tx, row!, server.runtime.keyring)).toBe(SECOND_OPENAI_KEY);
    });

    // Unchanged values record nothing and announce nothing.
    expect((await admin.patch(keyPath(key.id), { baseUrl: fakeB.baseUrl, options: {} })).status).toBe(200);
    expect(await auditOf(key.id, 'provider_key.updated')).toHaveLength(1);
  });

  it('label, options and project scope: project keys win, DELETE fails over, then the gateway has no key', async () => {
    const orgWide = (await admin.get<ListBody>(keysPath())).body.providerKeys.find((k) => k.provider === 'openai')!;
    // A project key of the same provider, against fake A: the gateway prefers it for `app`.
    const projectKey = await createKey({
      provider: 'openai',
      key: DEFAULT_FAKE_OPENAI_KEY,
      baseUrl: fakeA.baseUrl,
      projectIds: [orgA.projectId],
    });
    expect(projectKey).toMatchObject({ label: 'app/openai', projectIds: [orgA.projectId] });
    expect(await chat('openai/gpt-5.4-mini')).toMatchObject({ status: 200 });
    expect(lastAuth(fakeA)).toBe(`Bearer ${DEFAULT_FAKE_OPENAI_KEY}`);

    const relabelled = await admin.patch<OneBody>(keyPath(projectKey.id), {
      label: 'app-primary',
      projectIds: [orgA.projectId, orgA.testProjectId],
    });
    expect(relabelled.body.providerKey).toMatchObject({ label: 'app-primary', projectIds: [orgA.projectId, orgA.testProjectId].sort() });
    const [update] = await auditOf(projectKey.id, 'provider_key.updated');
    expect(update?.diff).toEqual({
      label: { from: 'app/openai', to: 'app-primary' },
      projectIds: { from: [orgA.projectId], to: [orgA.projectId, orgA.testProjectId].sort() },
    });
    const clash = await admin.patch(keyPath(projectKey.id), { label: 'openai' });
    expect(clash.status).toBe(409);
    expect(clash.error?.code).toBe('label_taken');
    expect((await admin.post(keysPath(), { provider: 'openai', key: UNUSED_KEY })).error?.code).toBe('label_taken');

    const delivered = changed(projectKey.id);
    const deleted = await admin.delete(keyPath(projectKey.id));
    expect(deleted.status).toBe(204);
    await delivered;
    const fakeBBefore = fakeB.requests.length;
    expect(await chat('openai/gpt-5.4-mini')).toMatchObject({ status: 200 }); // failed over to the org-wide key
    expect(fakeB.requests.length).toBe(fakeBBefore + 1);
    expect((await admin.get(keyPath(projectKey.id))).status).toBe(404);
    const [deletion] = await auditOf(projectKey.id, 'provider_key.deleted');
    expect(deletion?.diff).toMatchObject({ provider: 'openai', label: 'app-primary', last4: DEFAULT_FAKE_OPENAI_KEY.slice(-4) });

    const gone = changed(orgWide.id);
    expect((await admin.delete(keyPath(orgWide.id))).status).toBe(204);
    await gone;
    expect(await chat('openai/gpt-5.4-mini')).toEqual({ status: 400, code: 'no_provider_key' });
    expect((await admin.delete(keyPath(orgWide.id))).status).toBe(404);
  });

  it('refuses base URLs that point at metadata or link-local addresses, other schemes, credentials or a query', async () => {
    const refused: [string, RegExp][] = [
      ['http://169.254.169.254/', /metadata/],
      ['http://[fd00:ec2::254]/', /metadata/],
      ['http://metadata.google.internal/', /metadata/],
      ['http://169.254.10.10/v1', /link-local/],
      ['http://[fe80::1]/v1', /link-local/],
      ['file:///etc/passwd', /scheme file: is not allowed/],
      ['ftp://example.com/', /scheme ftp: is not allowed/],
      ['not a url', /whitespace|not a valid/],
      ['http://example.com/v1?key=abc', /query string/],
    ];
    for (const [baseUrl, reason] of refused) {
      const response = await admin.post(keysPath(), { provider: 'openai', label: 'ssrf', key: UNUSED_KEY, baseUrl });
      expect(response.status, baseUrl).toBe(400);
      expect(response.error?.code, baseUrl).toBe('invalid_base_url');
      expect(response.error?.message, baseUrl).toMatch(reason);
    }
    const withCredentials = await admin.post(keysPath(), {
      provider: 'openai',
      label: 'ssrf',
      key: UNUSED_KEY,
      baseUrl: 'https://admin:hunter2-password@example.com/v1',
    });
    expect(withCredentials.status).toBe(400);
    expect(withCredentials.error?.message).toMatch(/credentials in the URL are not allowed/);
    expect(withCredentials.text).not.toContain('hunter2');
    expect(withCredentials.text).not.toContain('admin:');

    const someKey = await createKey({ provider: 'mistral', key: UNUSED_KEY });
    const patch = await admin.patch(keyPath(someKey.id), { baseUrl: 'http://169.254.169.254/latest/meta-data/' });
    expect(patch.status).toBe(400);
    expect((await admin.get<OneBody>(keyPath(someKey.id))).body.providerKey.baseUrl).toBeNull();
    expect((await admin.get<ListBody>(keysPath())).body.providerKeys.map((k) => k.label)).not.toContain('ssrf');
  });

  it('checks provider rules: Azure and openai-compatible need a base URL, options are per provider, keys are printable', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ provider: 'azure-openai', key: UNUSED_KEY }, 'base_url_required'],
      [{ provider: 'openai-compatible', key: UNUSED_KEY }, 'base_url_required'],
      [
        { provider: 'azure-openai', key: UNUSED_KEY, baseUrl: 'https://acme.openai.azure.com', options: { apiVersion: 'latest' } },
        'invalid_options',
      ],
      [{ provider: 'openai', label: 'opts', key: UNUSED_KEY, options: { organization: 'x' } }, 'invalid_options'],
      [{ provider: 'openai', label: 'nl', key: `${UNUSED_KEY}\n` }, 'validation_error'],
      [{ provider: 'openai', label: 'x', key: UNUSED_KEY, projectId: orgA.projectId }, 'validation_error'],
      [{ provider: 'bedrock', key: UNUSED_KEY }, 'validation_error'],
    ];
    for (const [body, code] of cases) {
      const response = await admin.post(keysPath(), body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.error?.code, JSON.stringify(body)).toBe(code);
      expect(response.text).not.toContain(UNUSED_KEY);
    }
    const azure = await createKey({
      provider: 'azure-openai',
      key: UNUSED_KEY_2,
      baseUrl: 'https://acme.openai.azure.com',
      options: { apiVersion: '2024-10-21' },
    });
    expect(azure).toMatchObject({ options: { apiVersion: '2024-10-21' }, last4: UNUSED_KEY_2.slice(-4) });
    const removeUrl = await admin.patch(keyPath(azure.id), { baseUrl: null });
    expect(removeUrl.error?.code).toBe('base_url_required');
    const rekeyed = await admin.patch<OneBody>(keyPath(azure.id), { key: UNUSED_KEY });
    expect(rekeyed.body.providerKey.last4).toBe(UNUSED_KEY.slice(-4));
    expect((await admin.delete(keyPath(azure.id))).status).toBe(204);
  });

  it('permissions: a developer lists but cannot change or test; a viewer cannot even list', async () => {
    const [existing] = (await admin.get<ListBody>(keysPath())).body.providerKeys;
    expect(existing).toBeDefined();
    expect((await developer.get(keysPath())).status).toBe(200);
    expect((await developer.get(keyPath(existing!.id))).status).toBe(200);
    for (const response of [
      await developer.post(keysPath(), { provider: 'groq', key: UNUSED_KEY }),
      await developer.patch(keyPath(existing!.id), { label: 'mine' }),
      await developer.delete(keyPath(existing!.id)),
      await developer.post(keyPath(existing!.id, orgA, '/test'), { projectId: orgA.projectId }),
      await viewer.get(keysPath()),
      await viewer.get(keyPath(existing!.id)),
    ]) {
      expect(response.status).toBe(403);
      expect(response.error?.code).toBe('permission_denied');
    }
    expect((await admin.get<OneBody>(keyPath(existing!.id))).body.providerKey.label).toBe(existing!.label);
  });

  it('another org sees nothing: its token gets 404 on our key ids, and our token 404 on its project ids', async () => {
    const ours = (await admin.get<ListBody>(keysPath())).body.providerKeys[0]!;
    const theirs = await adminB.post<OneBody>(keysPath(orgB), { provider: 'anthropic', key: UNUSED_KEY_2 });
    expect(theirs.status).toBe(201);
    const leaks = [ours.id, ours.label, orgB.projectId, theirs.body.providerKey.id];
    const attempts = [
      await adminB.get(keyPath(ours.id, orgB)),
      await adminB.patch(keyPath(ours.id, orgB), { label: 'stolen' }),
      await adminB.delete(keyPath(ours.id, orgB)),
      await adminB.post(keyPath(ours.id, orgB, '/test'), { projectId: orgB.projectId }),
      await adminB.get(keyPath(ours.id)), // org A's path with org B's token
      await admin.get(keyPath(theirs.body.providerKey.id)),
      await admin.post(keysPath(), { provider: 'groq', key: UNUSED_KEY, projectIds: [orgB.projectId] }),
      await admin.patch(keyPath(ours.id), { projectIds: [orgA.projectId, orgB.projectId] }),
      await admin.post(keyPath(ours.id, orgA, '/test'), { projectId: orgB.projectId }),
    ];
    for (const response of attempts) {
      expect(response.status, response.text).toBe(404);
      for (const leak of leaks) expect(response.text).not.toContain(leak);
    }
    expect((await admin.get<OneBody>(keyPath(ours.id))).body.providerKey).toEqual(ours);
    expect((await adminB.get<ListBody>(keysPath(orgB))).body.providerKeys.map((k) => k.id)).toEqual([theirs.body.providerKey.id]);
  });
});

describe('test connection', () => {
  it('goes through the gateway with a short-lived key of the project, answers ok with the latency, and revokes the key', async () => {
    const key = await createKey({ provider: 'anthropic', key: FAKE_ANTHROPIC_API_KEY, baseUrl: anthropic.url });
    const revoked = nextBusEvent(server, (e) => e.type === 'api_key.changed' && e.orgId === orgA.orgId);
    const { response, sent } = await testConnection(key.id, { projectId: orgA.projectId });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ ok: true, status: 200, provider: 'anthropic', model: 'anthropic/claude-haiku-5-5' });
    expect(response.body.error).toBeUndefined();
    expect(Number.isInteger(response.body.latencyMs) && response.body.latencyMs >= 0).toBe(true);

    // What reached the provider: the minimal request, with the stored key.
    const upstream = anthropic.requests.at(-1)!;
    expect(upstream.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
    expect(upstream.body).toMatchObject({
      model: 'claude-haiku-5-5',
      max_tokens: 1,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'ping' }] }],
    });

    // The api used one pc_live_ key, which it never showed and which no longer works.
    expect(sent).toHaveLength(1);
    const testKey = sent[0]!;
    expect(testKey).toMatch(/^pc_live_/);
    expect(response.text).not.toContain(testKey);
    await revoked;
    expect(await gatewayStatus(server, testKey)).toBe(401);

    const [row] = await server.runtime.apiDb.withTenant(orgA.orgId, (tx) =>
      tx.select().from(apiKeys).where(like(apiKeys.name, 'test-connection-%')),
    );
    expect(row).toMatchObject({ projectId: orgA.projectId, allowedModels: ['anthropic/claude-haiku-5-5'] });
    expect(row!.revokedAt).not.toBeNull();
    const lifetime = row!.expiresAt!.getTime() - row!.createdAt.getTime();
    expect(lifetime).toBeGreaterThan(110_000);
    expect(lifetime).toBeLessThanOrEqual(125_000);
    const created = await auditOf(row!.id, 'api_key.created');
    const revokedEvents = await auditOf(row!.id, 'api_key.revoked');
    expect(created).toHaveLength(1);
    expect(revokedEvents).toHaveLength(1);
    for (const event of [...created, ...revokedEvents]) {
      expect(event.reason).toContain(key.id);
      expect(event.requestId).toBe(response.headers.get('x-request-id'));
      expect(event.diff).toMatchObject({ providerKeyId: key.id });
    }
  });

  it('defaults an Azure key with a deployments map to its first chat deployment by name, not the cheapest catalog model', async () => {
    // The cheapest Azure catalog model is mapped by no deployment: as a default it would answer no_provider_key.
    const key = await createKey({
      provider: 'azure-openai',
      key: AZURE_KEY,
      baseUrl: azure.baseUrl,
      options: {
        apiVersion: '2024-10-21',
        deployments: { 'c-mini': 'gpt-5.4-mini', 'a-embed': 'text-embedding-3-small', 'b-mini': 'gpt-5.4-mini' },
      },
    });
    try {
      const { response } = await testConnection(key.id, { projectId: orgA.projectId });
      expect(response.status, response.text).toBe(200);
      // a-embed comes first by name but cannot answer a chat request; b-mini is the first chat deployment.
      expect(response.body).toMatchObject({ ok: true, status: 200, provider: 'azure-openai', model: 'azure-openai/b-mini' });
      expect(azure.requests.at(-1)?.path).toBe('/openai/deployments/b-mini/chat/completions');

      // A model named by the caller still wins over the default.
      const named = await testConnection(key.id, { projectId: orgA.projectId, model: 'c-mini' });
      expect(named.response.body).toMatchObject({ ok: true, model: 'azure-openai/c-mini' });
      expect(azure.requests.at(-1)?.path).toBe('/openai/deployments/c-mini/chat/completions');
    } finally {
      expect((await admin.delete(keyPath(key.id))).status).toBe(204);
    }
  });

  it('reports a key the provider rejects as ok: false with the gateway’s error, and still revokes the test key', async () => {
    const key = await createKey({ provider: 'openai-compatible', key: WRONG_KEY, baseUrl: fakeA.baseUrl });
    const noModel = await admin.post(keyPath(key.id, orgA, '/test'), { projectId: orgA.projectId });
    expect(noModel.status).toBe(400);
    expect(noModel.error?.code).toBe('model_required');

    const before = fakeA.requests.length;
    const { response, sent } = await testConnection(key.id, { projectId: orgA.projectId, model: 'llama-test' });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ ok: false, status: 502, provider: 'openai-compatible', model: 'openai-compatible/llama-test' });
    expect(response.body.error).toMatchObject({ code: 'upstream_auth_failed' });
    expect(response.body.error?.message).toMatch(/rejected the configured provider key/);
    expect(fakeA.requests.length).toBeGreaterThan(before);
    expect(lastAuth(fakeA)).toBe(`Bearer ${WRONG_KEY}`);
    expect(response.text).not.toContain(WRONG_KEY.slice(0, 10));
    expect(sent).toHaveLength(1);
    await eventually(async () => ((await gatewayStatus(server, sent[0]!)) === 401 ? true : undefined));
  });

  it('refuses tests that would not be about this key, and tests nothing without a gateway', async () => {
    // Two openai keys usable by `app`: the gateway could answer with either.
    const orgWide = await createKey({ provider: 'openai', key: DEFAULT_FAKE_OPENAI_KEY, baseUrl: fakeA.baseUrl });
    const appOnly = await createKey({ provider: 'openai', key: SECOND_OPENAI_KEY, baseUrl: fakeB.baseUrl, projectIds: [orgA.projectId] });
    const ambiguous = await admin.post(keyPath(orgWide.id, orgA, '/test'), { projectId: orgA.projectId });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.error?.code).toBe('provider_key_ambiguous');
    const elsewhere = await admin.post(keyPath(appOnly.id, orgA, '/test'), { projectId: orgA.testProjectId });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.error?.code).toBe('provider_key_not_in_project');

    // In the sandbox project only the org-wide key applies: a pc_test_ key, a pinned model.
    const { response, sent } = await testConnection(orgWide.id, { projectId: orgA.testProjectId, model: 'gpt-5.4-mini' });
    expect(response.body).toMatchObject({ ok: true, model: 'openai/gpt-5.4-mini' });
    expect(sent[0]).toMatch(/^pc_test_/);
    expect(lastAuth(fakeA)).toBe(`Bearer ${DEFAULT_FAKE_OPENAI_KEY}`);

    // An api process without a gateway: a clear 503, and nothing minted.
    const apiOnly = await startTestServer({ services: ['api'], env: { ALLOW_PRIVATE_PROVIDER_URLS: 'false' } });
    try {
      const org = await createOrg(apiOnly, 'pk-solo');
      const client = apiClient(apiOnly, await mintToken(apiOnly, org, 'owner'), transcript);
      // The instance's policy: private and loopback refused here, unlike on the main test server.
      for (const baseUrl of ['http://127.0.0.1:8000/v1', 'http://10.1.2.3/v1', 'http://localhost:11434/v1']) {
        const refused = await client.post(`/api/orgs/${org.orgId}/provider-keys`, { provider: 'openai', key: UNUSED_KEY, baseUrl });
        expect(refused.status, baseUrl).toBe(400);
        expect(refused.error?.message, baseUrl).toMatch(/(loopback|private network) address/);
      }
      const created = await client.post<OneBody>(`/api/orgs/${org.orgId}/provider-keys`, { provider: 'anthropic', key: UNUSED_KEY });
      expect(created.status).toBe(201);
      const noGateway = await client.post(`/api/orgs/${org.orgId}/provider-keys/${created.body.providerKey.id}/test`, {
        projectId: org.projectId,
      });
      expect(noGateway.status).toBe(503);
      expect(noGateway.error?.code).toBe('gateway_unavailable');
      const mintedThere = await apiOnly.runtime.apiDb.withTenant(org.orgId, (tx) => tx.select().from(apiKeys));
      expect(mintedThere).toEqual([]);
    } finally {
      await apiOnly.stop();
    }
  });
});

describe('test connection when the gateway cannot be reached', () => {
  it('answers 503 gateway_unavailable, logs why, and still revokes the key it minted', async () => {
    // An api replica on the same database whose gateway URL leads nowhere (port 1: refused).
    const replica = await startApiReplica(server, { gatewayUrl: 'http://127.0.0.1:1' });
    try {
      const key = (await admin.get<ListBody>(keysPath())).body.providerKeys.find((k) => k.provider === 'anthropic')!;
      const testKeysBefore = await server.runtime.apiDb.withTenant(orgA.orgId, (tx) =>
        tx.select({ id: apiKeys.id }).from(apiKeys).where(like(apiKeys.name, 'test-connection-%')),
      );
      const response = await apiClient(replica, await mintToken(server, orgA, 'admin'), transcript).post(keyPath(key.id, orgA, '/test'), {
        projectId: orgA.projectId,
      });
      expect(response.status).toBe(503);
      expect(response.error?.code).toBe('gateway_unavailable');
      expect(response.text).not.toContain('127.0.0.1:1');

      const testKeys = await server.runtime.apiDb.withTenant(orgA.orgId, (tx) =>
        tx.select().from(apiKeys).where(like(apiKeys.name, 'test-connection-%')),
      );
      const fresh = testKeys.filter((k) => !testKeysBefore.some((b) => b.id === k.id));
      expect(fresh).toHaveLength(1);
      expect(fresh[0]!.revokedAt).not.toBeNull();
      expect(await auditOf(fresh[0]!.id, 'api_key.revoked')).toHaveLength(1);
      expect(server.logLines.some((line) => line.includes('gateway unreachable for a connection test'))).toBe(true);
    } finally {
      await replica.close();
    }
  });
});

describe('no key is ever shown', () => {
  it('not in a response or header, a log line, an audit diff or any table', async () => {
    expect(minted.length).toBeGreaterThanOrEqual(3);
    const providerSecrets = [
      DEFAULT_FAKE_OPENAI_KEY,
      SECOND_OPENAI_KEY,
      UNUSED_KEY,
      UNUSED_KEY_2,
      WRONG_KEY,
      FAKE_ANTHROPIC_API_KEY,
      AZURE_KEY,
    ];
    const secrets = [...providerSecrets, ...minted];

    const responses = transcript.join('\n');
    expect(responses).toContain('"last4"');
    for (const secret of secrets) expect(responses).not.toContain(secret);

    const logs = server.logLines.join('\n');
    expect(logs).toContain('/provider-keys');
    expect(logs).toContain('provider key connection tested');
    for (const secret of secrets) expect(logs).not.toContain(secret);

    const diffs = JSON.stringify(
      await queryRows(
        server.runtime.database.db,
        sql`select action, diff, reason from audit_events where action like 'provider_key.%' or action like 'api_key.%'`,
      ),
    );
    expect(diffs).toContain('keyReplaced');
    for (const secret of secrets) expect(diffs).not.toContain(secret);

    const tables = await queryRows<{ table_name: string }>(
      server.runtime.database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    );
    let dump = '';
    for (const { table_name } of tables) {
      const rows = await queryRows(server.runtime.database.db, sql`select * from ${sql.identifier(table_name)}`);
      dump += JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    }
    expect(dump).toContain('provider_key.updated');
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });
});
