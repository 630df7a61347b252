/**
 * Usage and limits through the api: totals of the current period from the request logs, the
 * configured limits of the scope with what remains, limits set per org and project (audited,
 * announced to the gateways), and the hook through which live counters will take over.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, requestLogs } from '../src/db/schema/index.js';
import {
  apiClient,
  createOrg,
  mintToken,
  nextBusEvent,
  startApiReplica,
  type ApiClient,
  type IssuedKeyBody,
  type TestOrg,
} from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

type Usage = {
  scope: string;
  id: string;
  period: string;
  periodStart: string | null;
  source: string;
  usage: { requests: number; tokens: number; costUsd: number };
  limits: { metric: string; period: string; limit: number; used: number; remaining: number }[];
  rate: { requestsPerMinute: number | null };
};

let server: TestServer;
let org: TestOrg;
let owner: ApiClient;
let keyId: string;
let otherKeyId: string;

const lastMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
};

/** Request logs written as the gateway writes them (its role, its org scope). */
async function logRequests(
  rows: { apiKeyId: string; inputTokens: number; outputTokens: number; costMicroUsd: number; createdAt?: Date }[],
) {
  await server.runtime.gatewayDb.withTenant(org.orgId, (tx) =>
    tx.insert(requestLogs).values(
      rows.map((r) => ({
        orgId: org.orgId,
        projectId: org.projectId,
        apiKeyId: r.apiKeyId,
        requestId: `req_${randomUUID()}`,
        endpoint: '/v1/chat/completions',
        status: 200,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        costMicroUsd: r.costMicroUsd,
        // What the gateway records for a request that passed its limit checks: it counts.
        usageCounted: true,
        ...(r.createdAt ? { createdAt: r.createdAt } : {}),
      })),
    ),
  );
}

beforeAll(async () => {
  server = await startTestServer({ services: ['api'] });
  org = await createOrg(server, 'usage');
  owner = apiClient(server, await mintToken(server, org, 'owner'));
  const keys = `/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`;
  keyId = (
    await owner.post<IssuedKeyBody>(keys, { name: 'metered', limits: { usage: [{ metric: 'spend_usd', period: 'monthly', limit: 10 }] } })
  ).body.apiKey.id;
  otherKeyId = (await owner.post<IssuedKeyBody>(keys, { name: 'other' })).body.apiKey.id;
  await logRequests([
    { apiKeyId: keyId, inputTokens: 100, outputTokens: 50, costMicroUsd: 1_500_000 },
    { apiKeyId: keyId, inputTokens: 200, outputTokens: 100, costMicroUsd: 2_250_000 },
    { apiKeyId: otherKeyId, inputTokens: 10, outputTokens: 5, costMicroUsd: 250_000 },
    // Last month: outside the current monthly period, inside lifetime.
    { apiKeyId: keyId, inputTokens: 1000, outputTokens: 1000, costMicroUsd: 9_000_000, createdAt: lastMonth() },
  ]);
});
afterAll(async () => server?.stop());

const usagePath = (query: string) => `/api/orgs/${org.orgId}/usage?${query}`;

describe('usage', () => {
  it("reports an API key's current-period totals, its limits and what remains", async () => {
    const response = await owner.get<Usage>(usagePath(`scope=api_key&id=${keyId}&period=monthly`));
    expect(response.status, response.text).toBe(200);
    const now = new Date();
    expect(response.body).toMatchObject({
      scope: 'api_key',
      id: keyId,
      period: 'monthly',
      periodStart: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
      source: 'request_logs',
      usage: { requests: 2, tokens: 450, costUsd: 3.75 },
      limits: [{ metric: 'spend_usd', period: 'monthly', limit: 10, used: 3.75, remaining: 6.25 }],
    });
    const lifetime = await owner.get<Usage>(usagePath(`scope=api_key&id=${keyId}&period=lifetime`));
    expect(lifetime.body.usage).toEqual({ requests: 3, tokens: 2450, costUsd: 12.75 });
    expect(lifetime.body.periodStart).toBeNull();
  });

  it('sums a project and the whole org, and never reports a negative remainder', async () => {
    const project = await owner.get<Usage>(usagePath(`scope=project&id=${org.projectId}`));
    expect(project.body.usage).toEqual({ requests: 3, tokens: 465, costUsd: 4 });
    const orgUsage = await owner.get<Usage>(usagePath('period=daily'));
    expect(orgUsage.body).toMatchObject({ scope: 'org', id: org.orgId, usage: { requests: 3 } });

    expect(
      (await owner.put(`/api/orgs/${org.orgId}/limits`, { usage: [{ metric: 'requests', period: 'lifetime', limit: 2 }] })).status,
    ).toBe(200);
    const limited = await owner.get<Usage>(usagePath('period=daily'));
    expect(limited.body.limits).toEqual([{ metric: 'requests', period: 'lifetime', limit: 2, used: 4, remaining: 0, periodStart: null }]);
  });

  it('answers 404 for a scope id that does not exist, and usage is not for viewers', async () => {
    expect((await owner.get(usagePath(`scope=api_key&id=${randomUUID()}`))).status).toBe(404);
    expect((await owner.get(usagePath(`scope=project&id=${randomUUID()}`))).status).toBe(404);
    const viewer = apiClient(server, await mintToken(server, org, 'viewer'));
    expect((await viewer.get(usagePath('period=daily'))).status).toBe(403);
    const developer = apiClient(server, await mintToken(server, org, 'developer'));
    expect((await developer.get(usagePath('period=daily'))).status).toBe(200);
  });

  it('reports the live counters instead of the logs when the limits service provides them (the hook)', async () => {
    const asked: unknown[] = [];
    const replica = await startApiReplica(server, {
      liveUsage: (query) => {
        asked.push(query);
        return Promise.resolve(query.period === 'monthly' ? { requests: 7, tokens: 700, costMicroUsd: 9_500_000 } : undefined);
      },
    });
    try {
      const response = await apiClient(replica, await mintToken(server, org, 'developer')).get<Usage>(
        usagePath(`scope=api_key&id=${keyId}&period=monthly`),
      );
      expect(response.body).toMatchObject({
        source: 'counters',
        usage: { requests: 7, tokens: 700, costUsd: 9.5 },
        limits: [{ used: 9.5, remaining: 0.5 }],
      });
      expect(asked).toContainEqual(expect.objectContaining({ orgId: org.orgId, scope: 'api_key', scopeId: keyId, period: 'monthly' }));
      // A missing counter falls back to the request logs.
      const hourly = await apiClient(replica, await mintToken(server, org, 'developer')).get<Usage>(
        usagePath(`scope=api_key&id=${keyId}&period=hourly`),
      );
      expect(hourly.body.source).toBe('request_logs');
    } finally {
      await replica.close();
    }
  });
});

describe('limits', () => {
  it('sets org and project limits: audited in the same transaction and announced with org.changed', async () => {
    const limits = {
      usage: [{ metric: 'spend_usd', period: 'monthly', limit: 500, alertThresholds: [90] }],
      rate: { requestsPerMinute: 600 },
    };
    const announced = nextBusEvent(server, (e) => e.type === 'org.changed' && e.orgId === org.orgId);
    const response = await owner.put<{ limits: unknown }>(`/api/orgs/${org.orgId}/projects/${org.projectId}/limits`, limits);
    expect(response.status, response.text).toBe(200);
    await announced;
    expect(response.body.limits).toEqual({ ...limits, rate: { requestsPerMinute: 600, tokensPerMinute: null } });
    const project = await owner.get<{ project: { limits: unknown } }>(`/api/orgs/${org.orgId}/projects/${org.projectId}`);
    expect(project.body.project.limits).toEqual(response.body.limits);
    const [event] = await server.runtime.apiDb.withTenant(org.orgId, (tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, 'project.updated'), eq(auditEvents.targetId, org.projectId))),
    );
    expect(event).toMatchObject({ actorType: 'token', requestId: response.headers.get('x-request-id') });
    expect(event?.diff).toMatchObject({ settings: { to: { limits: { rate: { requestsPerMinute: 600 } } } } });

    const usage = await owner.get<Usage>(usagePath(`scope=project&id=${org.projectId}`));
    expect(usage.body.rate.requestsPerMinute).toBe(600);
    expect(usage.body.limits[0]).toMatchObject({ metric: 'spend_usd', limit: 500, used: 4, remaining: 496 });

    const orgLimits = await owner.put(`/api/orgs/${org.orgId}/limits`, { rate: { tokensPerMinute: 100_000 } });
    expect(orgLimits.status).toBe(200);
    const orgView = await owner.get<{ limits: { rate: { tokensPerMinute: number } } }>(`/api/orgs/${org.orgId}`);
    expect(orgView.body.limits.rate.tokensPerMinute).toBe(100_000);
  });

  it('limits are for admins: a developer is refused and nothing changes', async () => {
    const developer = apiClient(server, await mintToken(server, org, 'developer'));
    const before = await owner.get(`/api/orgs/${org.orgId}`);
    expect((await developer.put(`/api/orgs/${org.orgId}/limits`, { usage: [] })).status).toBe(403);
    expect((await owner.get(`/api/orgs/${org.orgId}`)).text).toBe(before.text);
  });
});
