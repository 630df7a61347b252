/**
 * GET /api/orgs/:orgId/usage/timeseries on request logs and guardrail events written as the gateway
 * writes them, at known times two days ago: every bucket present (zeros included), the numbers of
 * each, the window's totals and percentiles, the filters, a bounded window (400 otherwise), another
 * org (404), a viewer (403), and a member limited to one project (only its rows; the other's 404).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardrailEvents, requestLogs } from '../../db/schema/index.js';
import { apiClient, createOrg, mintToken, type ApiClient, type IssuedKeyBody, type TestOrg } from '../../../test/support/api.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { signedInMember } from '../../../test/support/sessions.js';

type Point = {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  errors: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  cacheHits: number;
  cacheableRequests: number;
  guardrailBlocks: number;
};
type Series = { bucket: string; from: string; to: string; buckets: (Point & { start: string })[]; totals: Point; models: string[] };

const ORIGIN = 'https://portcullis.example.test';
const HOUR = 3_600_000;
const M1 = 'openai/gpt-5.4-mini';
const M2 = 'anthropic/claude-haiku-4-5';

let server: TestServer;
let org: TestOrg;
let other: TestOrg;
let owner: ApiClient;
let developer: ApiClient;
let viewer: ApiClient;
let otherOwner: ApiClient;
let restricted: ApiClient;
let secondProjectId: string;
let appKeyId: string;
let secondKeyId: string;
/** Midnight UTC two days ago: the seeded traffic is in its first hours. */
const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000);
const at = (hours: number, minutes: number) => new Date(day.getTime() + hours * HOUR + minutes * 60_000);

type LogSeed = {
  projectId: string;
  apiKeyId: string;
  model: string;
  status: number;
  errorCode?: string;
  latencyMs: number;
  inputTokens?: number;
  outputTokens?: number;
  costMicroUsd?: number;
  cacheStatus?: 'hit' | 'miss' | 'bypass' | 'off';
  createdAt: Date;
  requestId?: string;
};

async function seed(
  logs: LogSeed[],
  events: { requestId: string; projectId: string; apiKeyId: string; action: string; createdAt: Date }[],
) {
  await server.runtime.gatewayDb.withTenant(org.orgId, async (tx) => {
    await tx.insert(requestLogs).values(
      logs.map((log) => ({
        orgId: org.orgId,
        projectId: log.projectId,
        apiKeyId: log.apiKeyId,
        requestId: log.requestId ?? `req_${randomUUID()}`,
        endpoint: '/v1/chat/completions',
        model: log.model,
        status: log.status,
        errorCode: log.errorCode ?? null,
        latencyMs: log.latencyMs,
        inputTokens: log.inputTokens ?? null,
        outputTokens: log.outputTokens ?? null,
        costMicroUsd: log.costMicroUsd ?? null,
        cacheStatus: log.cacheStatus ?? null,
        usageCounted: true,
        createdAt: log.createdAt,
      })),
    );
    await tx.insert(guardrailEvents).values(
      events.map((event) => ({
        orgId: org.orgId,
        projectId: event.projectId,
        apiKeyId: event.apiKeyId,
        requestId: event.requestId,
        direction: 'input' as const,
        detector: 'secret',
        findingType: 'gitlab-pat',
        category: 'secret',
        action: event.action,
        createdAt: event.createdAt,
      })),
    );
  });
}

const seriesPath = (orgId: string, query: Record<string, string>) =>
  `/api/orgs/${orgId}/usage/timeseries?${new URLSearchParams(query).toString()}`;
const hourly = (extra: Record<string, string> = {}) => ({
  from: day.toISOString(),
  to: at(6, 0).toISOString(),
  bucket: 'hour',
  ...extra,
});

async function series(client: ApiClient, query: Record<string, string>, orgId = org.orgId): Promise<Series> {
  const response = await client.get<Series>(seriesPath(orgId, query));
  expect(response.status, response.text).toBe(200);
  return response.body;
}

beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
  org = await createOrg(server, 'series');
  other = await createOrg(server, 'series-other');
  owner = apiClient(server, await mintToken(server, org, 'owner'));
  developer = apiClient(server, await mintToken(server, org, 'developer'));
  viewer = apiClient(server, await mintToken(server, org, 'viewer'));
  otherOwner = apiClient(server, await mintToken(server, other, 'owner'));

  const created = await owner.post<{ project: { id: string } }>(`/api/orgs/${org.orgId}/projects`, { name: 'second' });
  expect(created.status, created.text).toBe(201);
  secondProjectId = created.body.project.id;
  const keyOf = async (projectId: string, name: string) => {
    const issued = await owner.post<IssuedKeyBody>(`/api/orgs/${org.orgId}/projects/${projectId}/api-keys`, { name });
    expect(issued.status, issued.text).toBe(201);
    return issued.body.apiKey.id;
  };
  appKeyId = await keyOf(org.projectId, 'app-key');
  secondKeyId = await keyOf(secondProjectId, 'second-key');

  const app = { projectId: org.projectId, apiKeyId: appKeyId };
  const second = { projectId: secondProjectId, apiKeyId: secondKeyId };
  const blockedId = `req_blocked_${randomUUID()}`;
  const maskedId = `req_masked_${randomUUID()}`;
  await seed(
    [
      // The day before the window: never counted.
      { ...app, model: M1, status: 200, latencyMs: 10, inputTokens: 999, createdAt: new Date(day.getTime() - HOUR) },
      // 01:00–02:00: two answers (one from the cache) and an upstream failure.
      {
        ...app,
        model: M1,
        status: 200,
        latencyMs: 100,
        inputTokens: 100,
        outputTokens: 50,
        costMicroUsd: 1_000_000,
        cacheStatus: 'miss',
        createdAt: at(1, 10),
      },
      {
        ...app,
        model: M1,
        status: 200,
        latencyMs: 300,
        inputTokens: 10,
        outputTokens: 5,
        costMicroUsd: 500_000,
        cacheStatus: 'hit',
        createdAt: at(1, 20),
      },
      { ...app, model: M2, status: 500, errorCode: 'upstream_error', latencyMs: 1000, cacheStatus: 'miss', createdAt: at(1, 40) },
      // 03:00–04:00: the second project's answer and its stream cut after the 200, then a blocked request.
      { ...second, model: M1, status: 200, latencyMs: 50, inputTokens: 1, outputTokens: 1, cacheStatus: 'off', createdAt: at(3, 5) },
      { ...second, model: M1, status: 200, errorCode: 'stream_interrupted', latencyMs: 200, requestId: maskedId, createdAt: at(3, 10) },
      { ...app, model: M1, status: 400, errorCode: 'guardrail_blocked', latencyMs: 5, requestId: blockedId, createdAt: at(3, 30) },
    ],
    [
      // Two findings of one blocked request: one block. A masked finding is no block.
      { ...app, requestId: blockedId, action: 'block', createdAt: at(3, 30) },
      { ...app, requestId: blockedId, action: 'block', createdAt: at(3, 30) },
      { ...second, requestId: maskedId, action: 'mask', createdAt: at(3, 10) },
    ],
  );

  restricted = await signedInMember(server, org.orgName, 'developer');
  const members = await owner.get<{ members: { id: string; role: string; email: string }[] }>(`/api/orgs/${org.orgId}/members`);
  const member = members.body.members.find((m) => m.role === 'developer')!;
  const limited = await owner.patch(`/api/orgs/${org.orgId}/members/${member.id}`, { projectIds: [secondProjectId] });
  expect(limited.status, limited.text).toBe(200);
}, 120_000);

afterAll(async () => server?.stop());

describe('buckets and numbers', () => {
  it('answers every hour of the window, zeros where nothing happened, with each hour’s numbers', async () => {
    const body = await series(owner, hourly());
    expect(body).toMatchObject({ bucket: 'hour', from: day.toISOString(), to: at(6, 0).toISOString() });
    expect(body.buckets.map((b) => b.start)).toEqual([0, 1, 2, 3, 4, 5].map((h) => at(h, 0).toISOString()));
    const empty = {
      requests: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      errors: 0,
      latencyP50Ms: null,
      latencyP95Ms: null,
      cacheHits: 0,
      cacheableRequests: 0,
      guardrailBlocks: 0,
    };
    for (const index of [0, 2, 4, 5]) expect(body.buckets[index]).toMatchObject(empty);
    expect(body.buckets[1]).toMatchObject({
      requests: 3,
      inputTokens: 110,
      outputTokens: 55,
      costUsd: 1.5,
      errors: 1,
      latencyP50Ms: 300,
      latencyP95Ms: 930, // percentile_cont: 300 + 0.9 × (1000 − 300)
      cacheHits: 1,
      cacheableRequests: 3,
      guardrailBlocks: 0,
    });
    // A stream cut after its 200 carries an error code: an error too. The block counts once.
    expect(body.buckets[3]).toMatchObject({ requests: 3, errors: 2, latencyP50Ms: 50, cacheableRequests: 0, guardrailBlocks: 1 });
    // The window's percentiles are of all six latencies, not an average of the hours'.
    expect(body.totals).toMatchObject({ requests: 6, errors: 3, costUsd: 1.5, latencyP50Ms: 150, guardrailBlocks: 1, cacheHits: 1 });
    expect(body.models).toEqual([M2, M1].sort());
  });

  it('aligns the window to whole UTC buckets, and counts by day', async () => {
    const shifted = await series(owner, hourly({ from: at(1, 30).toISOString(), to: at(3, 1).toISOString() }));
    expect(shifted.from).toBe(at(1, 0).toISOString());
    expect(shifted.to).toBe(at(4, 0).toISOString());
    expect(shifted.buckets.map((b) => b.requests)).toEqual([3, 0, 3]);
    const daily = await series(owner, { from: day.toISOString(), to: new Date(day.getTime() + 1).toISOString(), bucket: 'day' });
    expect(daily.buckets).toHaveLength(1);
    expect(daily.buckets[0]).toMatchObject({ start: day.toISOString(), requests: 6, guardrailBlocks: 1 });
    const withDayBefore = await series(owner, {
      from: new Date(day.getTime() - 1).toISOString(),
      to: at(1, 0).toISOString(),
      bucket: 'day',
    });
    expect(withDayBefore.buckets.map((b) => b.requests)).toEqual([1, 6]);
  });

  it('filters by project, API key and model (guardrail blocks too)', async () => {
    const bySecond = await series(owner, hourly({ projectId: secondProjectId }));
    expect(bySecond.totals).toMatchObject({ requests: 2, errors: 1, guardrailBlocks: 0 });
    expect(bySecond.models).toEqual([M1]);
    const byAppKey = await series(owner, hourly({ apiKeyId: appKeyId }));
    expect(byAppKey.totals).toMatchObject({ requests: 4, errors: 2, guardrailBlocks: 1 });
    const byM2 = await series(owner, hourly({ model: M2 }));
    expect(byM2.totals).toMatchObject({ requests: 1, errors: 1, guardrailBlocks: 0, latencyP50Ms: 1000 });
    expect(byM2.models).toEqual([M2, M1].sort());
    const byM1 = await series(owner, hourly({ model: M1, apiKeyId: appKeyId }));
    expect(byM1.totals).toMatchObject({ requests: 3, guardrailBlocks: 1 });
  });
});

describe('validation, permissions and tenancy', () => {
  it('refuses a window it cannot answer with a 400 that says why', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [hourly({ to: new Date(day.getTime() + 32 * 86_400_000).toISOString() }), /31 days/],
      [{ from: day.toISOString(), to: new Date(day.getTime() + 401 * 86_400_000).toISOString(), bucket: 'day' }, /400 days/],
      [hourly({ to: day.toISOString() }), /to: must be after from/],
      [hourly({ bucket: 'week' }), /bucket/],
      [hourly({ from: 'yesterday' }), /from/],
      [{ to: at(6, 0).toISOString(), bucket: 'hour' }, /from/],
      [hourly({ colour: 'red' }), /colour: is not an accepted field/],
      [hourly({ projectId: 'not-a-uuid' }), /projectId/],
    ];
    for (const [query, message] of cases) {
      const response = await owner.get(seriesPath(org.orgId, query));
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.error?.message).toMatch(message);
    }
    // The longest windows still answer.
    expect((await owner.get(seriesPath(org.orgId, hourly({ to: new Date(day.getTime() + 31 * 86_400_000).toISOString() })))).status).toBe(
      200,
    );
  });

  it('needs usage:read: a developer may, a viewer may not', async () => {
    expect((await series(developer, hourly())).totals.requests).toBe(6);
    const refused = await viewer.get(seriesPath(org.orgId, hourly()));
    expect(refused.status).toBe(403);
  });

  it('answers 404 to another org, and for another org’s project or key', async () => {
    expect((await otherOwner.get(seriesPath(org.orgId, hourly()))).status).toBe(404);
    expect((await otherOwner.get(seriesPath(other.orgId, hourly({ projectId: org.projectId })))).status).toBe(404);
    expect((await otherOwner.get(seriesPath(other.orgId, hourly({ apiKeyId: appKeyId })))).status).toBe(404);
    const own = await series(otherOwner, hourly(), other.orgId);
    expect(own.totals).toMatchObject({ requests: 0, guardrailBlocks: 0 });
    expect(own.buckets).toHaveLength(6);
    expect(own.models).toEqual([]);
  });

  it('counts only the projects of a member limited to some, and 404s the others', async () => {
    const mine = await series(restricted, hourly());
    expect(mine.totals).toMatchObject({ requests: 2, errors: 1, guardrailBlocks: 0 });
    expect(mine.buckets.map((b) => b.requests)).toEqual([0, 0, 0, 2, 0, 0]);
    expect((await series(restricted, hourly({ projectId: secondProjectId }))).totals.requests).toBe(2);
    const others: Record<string, string>[] = [{ projectId: org.projectId }, { apiKeyId: appKeyId }];
    for (const filter of others) {
      const refused = await restricted.get(seriesPath(org.orgId, hourly(filter)));
      expect(refused.status, JSON.stringify(filter)).toBe(404);
    }
  });
});
