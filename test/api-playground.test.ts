/**
 * The playground route against a real gateway in the same process and a fake OpenAI on loopback:
 * the answer streams through as NDJSON events in order, ends with provider, tokens and cost, and
 * the short-lived key the api minted is revoked (and refused by the gateway) once it is over —
 * also when the browser goes away mid-answer. Guardrail blocks and redactions are reported by
 * rule, never with the matched text; refusals (role, org, body, model) mint nothing; gateway
 * failures (5xx, timeouts) become an error event.
 */
import { and, eq, like } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeys, auditEvents } from '../src/db/schema/index.js';
import type { PlaygroundEvent } from '../src/playground/events.js';
import { playgroundEvent } from '../src/playground/events.js';
import { computeCostMicroUsd } from '../src/providers/catalog/cost.js';
import { findModel } from '../src/providers/catalog/catalog.js';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import { apiClient, createOrg, eventually, gatewayStatus, mintToken, nextBusEvent, type ApiClient, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

const MODEL = 'openai/gpt-5.4-mini';
const ANSWER = 'The quick brown fox jumps over the lazy dog, twice, for the playground test.';
const SECRET_TERM = 'nightjar';

let server: TestServer;
let fake: FakeOpenAI;
let orgA: TestOrg;
let orgB: TestOrg;
let adminToken: string;
let admin: ApiClient;
let viewer: ApiClient;
let developer: ApiClient;
let adminB: ApiClient;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  // Short upstream timeout: the timeout case must not take minutes.
  server = await startTestServer({ services: ['gateway', 'api'], env: { UPSTREAM_TIMEOUT_MS: '3000' } });
  [orgA, orgB] = await Promise.all([createOrg(server, 'pg'), createOrg(server, 'pg-other')]);
  adminToken = await mintToken(server, orgA, 'admin');
  admin = apiClient(server, adminToken);
  viewer = apiClient(server, await mintToken(server, orgA, 'viewer'));
  developer = apiClient(server, await mintToken(server, orgA, 'developer'));
  adminB = apiClient(server, await mintToken(server, orgB, 'admin'));
  const told = nextBusEvent(server, (e) => e.type === 'provider_key.changed' && e.orgId === orgA.orgId);
  const created = await admin.post(`/api/orgs/${orgA.orgId}/provider-keys`, {
    provider: 'openai',
    key: fake.apiKey,
    baseUrl: fake.baseUrl,
  });
  expect(created.status, created.text).toBe(201);
  await told;
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  fake.reset();
});

const chatPath = (org: TestOrg = orgA, projectId = org.projectId) => `/api/orgs/${org.orgId}/projects/${projectId}/playground/chat`;
const ask = (content: string, extra: Record<string, unknown> = {}) => ({ model: MODEL, messages: [{ role: 'user', content }], ...extra });

type Chat = { status: number; events: PlaygroundEvent[]; raw: string; tokens: string[] };

/** Posts as org A's admin, reads the NDJSON to the end, and captures the key the api sent to the gateway. */
async function chat(body: unknown, token = adminToken): Promise<Chat> {
  const fetchSpy = vi.spyOn(globalThis, 'fetch');
  const response = await fetch(server.apiUrl + chatPath(), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const raw = await response.text();
  const tokens = gatewayTokens(fetchSpy.mock.calls);
  fetchSpy.mockRestore();
  const events =
    response.status === 200
      ? raw
          .trim()
          .split('\n')
          .map((line) => playgroundEvent.parse(JSON.parse(line)))
      : [];
  return { status: response.status, events, raw, tokens };
}

function gatewayTokens(calls: Parameters<typeof fetch>[]): string[] {
  return calls
    .filter(([url]) => String(url instanceof Request ? url.url : url).startsWith(`${server.gatewayUrl}/v1/chat/`))
    .map(([, init]) => new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, ''))
    .filter((key): key is string => key !== undefined);
}

const ofType = <T extends PlaygroundEvent['type']>(events: PlaygroundEvent[], type: T) =>
  events.filter((e): e is Extract<PlaygroundEvent, { type: T }> => e.type === type);

async function playgroundKeys() {
  return server.runtime.apiDb.withTenant(orgA.orgId, (tx) => tx.select().from(apiKeys).where(like(apiKeys.name, 'playground-%')));
}

async function setOrgPolicy(body: unknown) {
  const told = nextBusEvent(server, (e) => e.type === 'org.changed' && e.orgId === orgA.orgId);
  told.catch(() => undefined);
  const response = await admin.put(`/api/orgs/${orgA.orgId}/guardrails`, body);
  expect(response.status, response.text).toBe(200);
  await told;
}

describe('playground chat', () => {
  it('streams the answer in order, ends with provider, tokens and cost, and revokes its key', async () => {
    fake.fail({ kind: 'slow-stream', eventDelayMs: 15 });
    fake.reply({ text: ANSWER, chunks: 8, usage: { input: 23, output: 17 } });
    const before = (await playgroundKeys()).length;
    const conversation = {
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi.' },
        { role: 'user', content: 'Say the sentence.' },
      ],
      temperature: 0.3,
      max_tokens: 200,
    };
    const result = await chat(conversation);
    expect(result.status, result.raw).toBe(200);

    const types = result.events.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(types.at(-1), result.raw).toBe('done');
    const deltas = ofType(result.events, 'delta');
    expect(deltas).toHaveLength(8);
    expect(deltas.map((d) => d.text).join('')).toBe(ANSWER);
    const start = ofType(result.events, 'start')[0]!;
    expect(start.provider).toBe('openai');
    const done = ofType(result.events, 'done')[0]!;
    const pricing = findModel('openai', 'gpt-5.4-mini')!.pricing;
    const expectedCost =
      computeCostMicroUsd(pricing, {
        inputTokens: 23,
        outputTokens: 17,
        cachedInputTokens: 0,
        cacheWriteInputTokens: 0,
        reasoningTokens: 0,
      }) / 1e6;
    expect(done).toMatchObject({
      requestId: start.requestId,
      provider: 'openai',
      model: MODEL,
      attempts: 1,
      inputTokens: 23,
      outputTokens: 17,
      finishReason: 'stop',
    });
    expect(done.costUsd).toBeCloseTo(expectedCost, 9);
    expect(done.costUsd).toBeGreaterThan(0);

    // What the provider got: the whole conversation, streamed with usage, the caller's settings.
    expect(fake.requests.at(-1)!.body).toMatchObject({
      model: 'gpt-5.4-mini',
      messages: conversation.messages,
      temperature: 0.3,
      max_tokens: 200,
      stream: true,
      stream_options: { include_usage: true },
    });

    // One key, never shown, refused by the gateway now, revoked and audited both ways.
    expect(result.tokens).toHaveLength(1);
    const token = result.tokens[0]!;
    expect(result.raw).not.toContain(token);
    expect(await gatewayStatus(server, token)).toBe(401);
    const keys = await playgroundKeys();
    expect(keys).toHaveLength(before + 1);
    const key = keys.at(-1)!;
    expect(key).toMatchObject({ projectId: orgA.projectId, allowedModels: [MODEL] });
    expect(key.revokedAt).not.toBeNull();
    expect(key.expiresAt!.getTime() - key.createdAt.getTime()).toBeLessThanOrEqual(125_000);
    const audit = await server.runtime.apiDb.withTenant(orgA.orgId, (tx) =>
      tx
        .select({ action: auditEvents.action, reason: auditEvents.reason })
        .from(auditEvents)
        .where(and(eq(auditEvents.targetId, key.id))),
    );
    expect(audit.map((a) => a.action).sort()).toEqual(['api_key.created', 'api_key.revoked']);
    for (const event of audit) expect(event.reason).toContain('playground');
  });

  it('lets a developer chat, and refuses a viewer, another org, a bad body or a model the project cannot use, minting nothing', async () => {
    const asDeveloper = await developer.post(chatPath(), ask('Hi from a developer'));
    expect(asDeveloper.status, asDeveloper.text).toBe(200);
    expect(asDeveloper.text).toContain('"type":"done"');

    const before = (await playgroundKeys()).length;
    const refused = await viewer.post(chatPath(), ask('Hi'));
    expect(refused.status).toBe(403);
    expect(refused.error?.code).toBe('permission_denied');
    // Org A's path with org B's admin, and org B's project in org A's path: not found, as if absent.
    expect((await adminB.post(chatPath(), ask('Hi'))).status).toBe(404);
    const foreignProject = await admin.post(chatPath(orgA, orgB.projectId), ask('Hi'));
    expect(foreignProject.status).toBe(404);
    expect(foreignProject.error?.code).toBe('project_not_found');

    for (const body of [
      { model: MODEL },
      { model: MODEL, messages: [] },
      { model: MODEL, messages: [{ role: 'tool', content: 'x' }] },
      {
        model: MODEL,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
        ],
      },
      { model: MODEL, messages: Array.from({ length: 51 }, () => ({ role: 'user', content: 'a' })) },
      { model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(32_001) }] },
      ask('Hi', { max_tokens: 100_000 }),
      ask('Hi', { temperature: 3 }),
      ask('Hi', { stream: false }),
      { model: 'not a model', messages: [{ role: 'user', content: 'Hi' }] },
    ]) {
      const response = await admin.post(chatPath(), body);
      expect(response.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(response.error?.code).toBe('validation_error');
    }
    const unusable = await admin.post(chatPath(), ask('Hi', { model: 'anthropic/claude-haiku-4-5' }));
    expect(unusable.status).toBe(400);
    expect(unusable.error?.code).toBe('model_not_usable');
    expect(await playgroundKeys()).toHaveLength(before);
    expect(fake.requests.filter((r) => JSON.stringify(r.body).includes('"Hi"'))).toHaveLength(0);
  });

  it('reports a guardrail block by rule, never the matched text, with no answer; and a redaction alongside the answer', async () => {
    const rule = { name: 'codename', kind: 'blocklist', terms: [SECRET_TERM], action: 'block', scope: 'input' };
    await setOrgPolicy({ customRules: [rule] });
    try {
      const blocked = await chat(ask(`What is ${SECRET_TERM} up to?`));
      expect(blocked.status).toBe(200);
      expect(ofType(blocked.events, 'delta')).toHaveLength(0);
      expect(ofType(blocked.events, 'guardrail')).toEqual([
        expect.objectContaining({ type: 'guardrail', action: 'block', detector: 'custom', rule: 'codename', direction: 'input' }),
      ]);
      expect(blocked.events.at(-1)).toMatchObject({ type: 'error', code: 'guardrail_blocked', status: 400 });
      expect(blocked.raw.toLowerCase()).not.toContain(SECRET_TERM);
      expect(fake.requests).toHaveLength(0);
      expect(await gatewayStatus(server, blocked.tokens[0]!)).toBe(401);

      await setOrgPolicy({ customRules: [{ ...rule, action: 'redact' }] });
      const redacted = await chat(ask(`What is ${SECRET_TERM} up to?`));
      expect(redacted.events.at(-1)?.type).toBe('done');
      expect(ofType(redacted.events, 'guardrail')).toEqual([expect.objectContaining({ action: 'redact', rule: 'codename' })]);
      expect(JSON.stringify(fake.requests.at(-1)!.body)).not.toContain(SECRET_TERM);
      expect(redacted.raw.toLowerCase()).not.toContain(SECRET_TERM);
    } finally {
      await setOrgPolicy({ customRules: [] });
    }
  });

  it('aborts the gateway call when the browser goes away, and still revokes the key', async () => {
    let release!: () => void;
    fake.fail({ kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)), afterEvents: 2 });
    fake.reply({ text: ANSWER });
    const earlier = new Set((await playgroundKeys()).map((k) => k.id));
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const browser = new AbortController();
    const response = await fetch(server.apiUrl + chatPath(), {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(ask('Tell me a long story')),
      signal: browser.signal,
    });
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.includes('"type":"delta"')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value as Uint8Array);
    }
    expect(seen).toContain('"type":"delta"');
    const tokens = gatewayTokens(fetchSpy.mock.calls);
    fetchSpy.mockRestore();
    browser.abort();
    await reader.cancel().catch(() => undefined);
    try {
      expect(tokens).toHaveLength(1);
      const key = await eventually(async () => (await playgroundKeys()).find((k) => !earlier.has(k.id) && k.revokedAt !== null));
      expect(key.allowedModels).toEqual([MODEL]);
      expect(await gatewayStatus(server, tokens[0]!)).toBe(401);
    } finally {
      release();
    }
  });

  it('turns a gateway 5xx and an upstream timeout into an error event, and revokes the key', async () => {
    const failure = { kind: 'status', status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } } as const;
    fake.fail(failure, failure, failure, failure, failure);
    const failed = await chat(ask('Hi'));
    expect(failed.status).toBe(200);
    const error = failed.events.at(-1);
    expect(error).toMatchObject({ type: 'error' });
    expect(error && error.type === 'error' ? error.status : 0).toBeGreaterThanOrEqual(500);
    expect(ofType(failed.events, 'delta')).toHaveLength(0);
    expect(await gatewayStatus(server, failed.tokens[0]!)).toBe(401);

    fake.reset();
    fake.fail({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const timedOut = await chat(ask('Hi'));
    const last = timedOut.events.at(-1);
    expect(last?.type).toBe('error');
    expect(last && last.type === 'error' ? `${last.code} ${last.message}` : '').toMatch(/timeout|timed out|did not/i);
    expect(await gatewayStatus(server, timedOut.tokens[0]!)).toBe(401);
  }, 90_000);
});
