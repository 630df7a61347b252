/**
 * Overload protection, end to end on a real gateway in front of fake providers (docs/scaling.md):
 * the per-process in-flight cap (GATEWAY_MAX_IN_FLIGHT: 503 `server_overloaded` before
 * authentication, places freed by finished, failed and abandoned requests alike) and the per-org
 * concurrency limit (`maxConcurrentRequests`, set through the api: validated, audited; 429
 * `concurrency_limit_exceeded`, logged as a refusal; shared by replicas through Redis).
 *
 * Requests are kept in progress by the fake provider's `hold` fault, released by the test, so
 * nothing depends on timing; where a place is freed after the response reached the client (the
 * server's 'close' event), the test polls instead of assuming it is already free.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorCreateToken } from '../src/admin/credential-operations.js';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import type { OrgLimits } from '../src/tenancy/limits.js';
import type { FakeUpstream } from './fakes/fake-upstream.js';
import { apiClient, operatorCtx, type ApiClient } from './support/api.js';
import { openedAuditRows } from './support/audit.js';
import { uniqueName } from './support/database.js';
import { startGatewayFixture, startGatewayReplica, type GatewayFixture } from './support/gateway.js';
import { call, chatBody, redisUrlUnderTest } from './support/limits.js';
import { errorOf, eventually, waitForLog, type RawResponse } from './support/resilience.js';
import type { TestServer } from './support/server.js';

const CHAT = '/v1/chat/completions';
const body = chatBody('Hold on a moment.', 50);

/** The next `count` requests to the fake wait until `release()` (a stream after its first `afterEvents` events). */
function holdNext(fake: FakeUpstream, count: number, afterEvents?: number): { release: () => void } {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  for (let i = 0; i < count; i++) fake.fail({ kind: 'hold', until, ...(afterEvents === undefined ? {} : { afterEvents }) });
  return { release };
}

/** Resolves once the fake has received `count` requests in all (they are then in progress at the gateway). */
const arrived = (fake: FakeUpstream, count: number) =>
  eventually(`${count} requests at the fake provider`, () => (fake.requests.length >= count ? true : undefined));

const chat = (gatewayUrl: string, apiKey: string, headers: Record<string, string> = {}) =>
  call(gatewayUrl, CHAT, { apiKey, body, headers });

function expectOverloaded(response: RawResponse): void {
  expect(response.status, response.text).toBe(503);
  expect(errorOf(response.json)).toMatchObject({ code: 'server_overloaded', type: 'overloaded_error' });
  expect(response.headers.get('retry-after')).toBe('1');
}

function expectConcurrencyRefusal(response: RawResponse, limit: number): void {
  expect(response.status, response.text).toBe(429);
  const error = errorOf(response.json);
  expect(error).toMatchObject({ code: 'concurrency_limit_exceeded', type: 'rate_limit_error' });
  expect(error?.message).toContain(`already has ${limit} request`);
  expect(response.headers.get('retry-after')).toBe('1');
}

describe('the per-process in-flight cap (GATEWAY_MAX_IN_FLIGHT=2)', () => {
  let fixture: GatewayFixture;

  beforeAll(async () => {
    fixture = await startGatewayFixture({ env: { GATEWAY_MAX_IN_FLIGHT: '2' } });
  });
  afterAll(async () => fixture?.stop());

  it('refuses a third concurrent request with 503 and Retry-After, before authentication, and serves again once the first two finish', async () => {
    fixture.openai.reset();
    const held = holdNext(fixture.openai, 2);
    const first = chat(fixture.gatewayUrl, fixture.apiKey);
    const second = chat(fixture.gatewayUrl, fixture.apiKey);
    await arrived(fixture.openai, 2);

    expectOverloaded(await chat(fixture.gatewayUrl, fixture.apiKey));
    // Refused before the key is checked or the body read: a wrong key and a broken body get the same 503.
    const unauthenticated = await call(fixture.gatewayUrl, CHAT, { apiKey: 'pc_live_not-a-key', body: 'not json' });
    expectOverloaded(unauthenticated);
    // In the Anthropic shape on /v1/messages.
    const anthropic = await call(fixture.gatewayUrl, '/v1/messages', { apiKey: fixture.apiKey, body: {}, anthropicAuth: true });
    expect(anthropic.status).toBe(503);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    // Health probes are never counted or refused.
    expect((await fetch(`${fixture.gatewayUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${fixture.gatewayUrl}/readyz`)).status).toBe(200);
    // None of the refused requests reached the provider.
    expect(fixture.openai.requests).toHaveLength(2);

    held.release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    const next = await eventually('a request to be served again', async () => {
      const response = await chat(fixture.gatewayUrl, fixture.apiKey);
      return response.status === 503 ? undefined : response;
    });
    expect(next.status, next.text).toBe(200);
  });

  it('frees the place of a streaming client that goes away mid-stream', async () => {
    fixture.openai.reset();
    const held = holdNext(fixture.openai, 2, 1);
    const other = chat(fixture.gatewayUrl, fixture.apiKey);
    const abandon = new AbortController();
    const stream = await fetch(`${fixture.gatewayUrl}${CHAT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fixture.apiKey}` },
      body: JSON.stringify({ ...body, stream: true }),
      signal: abandon.signal,
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const firstChunk = (await reader.read()).value as Uint8Array;
    expect(Buffer.from(firstChunk).toString('utf8')).toContain('data:');
    await arrived(fixture.openai, 2);
    expectOverloaded(await chat(fixture.gatewayUrl, fixture.apiKey));

    // The stream is still held upstream: only the client leaving can free its place.
    abandon.abort();
    await reader.cancel().catch(() => undefined);
    const served = await eventually('the abandoned stream to free its place', async () => {
      const response = await chat(fixture.gatewayUrl, fixture.apiKey);
      return response.status === 503 ? undefined : response;
    });
    expect(served.status, served.text).toBe(200);

    held.release();
    expect((await other).status).toBe(200);
  });

  it('frees the places of requests that fail (authentication errors, provider errors)', async () => {
    fixture.openai.reset();
    // Sequential failures: if a failed request kept its place, the third would find both taken.
    for (let i = 0; i < 3; i++) expect((await chat(fixture.gatewayUrl, 'pc_live_wrong')).status).toBe(401);
    for (let i = 0; i < 3; i++) {
      fixture.openai.fail({ kind: 'status', status: 400, body: { error: { message: 'bad', type: 'invalid_request_error' } } });
      expect((await chat(fixture.gatewayUrl, fixture.apiKey)).status).toBe(400);
    }
    expect((await chat(fixture.gatewayUrl, fixture.apiKey)).status).toBe(200);
  });
});

describe('the per-org concurrency limit (maxConcurrentRequests)', () => {
  let fixture: GatewayFixture;
  let admin: ApiClient;
  let otherOrgKey: string;

  /** PUT the org limits through the api and wait until every listed gateway has dropped its cached org policy. */
  async function setOrgLimits(limits: Partial<OrgLimits>, gateways: TestServer[] = [fixture.server]): Promise<RawResponse> {
    const current = await admin.get<{ limits: OrgLimits }>(`/api/orgs/${fixture.orgId}`);
    const next = { ...current.body.limits, ...limits };
    const unchanged = JSON.stringify(next) === JSON.stringify(current.body.limits);
    const delivered = unchanged ? [] : gateways.map((server) => orgChangedOn(server, fixture.orgId));
    const response = await admin.put(`/api/orgs/${fixture.orgId}/limits`, next);
    expect(response.status, response.text).toBe(200);
    await Promise.all(delivered);
    return { status: response.status, headers: response.headers, json: response.body, text: response.text };
  }

  beforeAll(async () => {
    fixture = await startGatewayFixture({ withApi: true });
    const deps = { db: fixture.server.runtime.apiDb, bus: fixture.server.runtime.bus, logger: fixture.server.runtime.logger };
    const issued = await operatorCreateToken(deps, { org: fixture.orgName, name: uniqueName('admin'), role: 'admin' }, operatorCtx);
    admin = apiClient(fixture.server, issued.token);
    otherOrgKey = await bootstrapOtherOrg(fixture);
  });
  afterAll(async () => fixture?.stop());

  it('is set through the org limits route: validated (400 for anything but a positive integer or null), audited, shown on the org', async () => {
    for (const invalid of [-1, 0, 1.5, '2', 2_000_000]) {
      const response = await admin.put(`/api/orgs/${fixture.orgId}/limits`, { maxConcurrentRequests: invalid });
      expect(response.status, `maxConcurrentRequests ${JSON.stringify(invalid)}`).toBe(400);
    }
    // Projects have no concurrency limit of their own.
    const onProject = await admin.put(`/api/orgs/${fixture.orgId}/projects/${randomUUID()}/limits`, { maxConcurrentRequests: 1 });
    expect(onProject.status).toBe(400);

    const requestId = `set-concurrency-${randomUUID()}`;
    // Each change is waited for on the bus, so no late event can be mistaken for a later test's.
    const setDelivered = orgChangedOn(fixture.server, fixture.orgId);
    const set = await admin.call<{ limits: OrgLimits }>(
      'PUT',
      `/api/orgs/${fixture.orgId}/limits`,
      { maxConcurrentRequests: 3 },
      {
        'x-request-id': requestId,
      },
    );
    expect(set.status, set.text).toBe(200);
    await setDelivered;
    expect(set.body.limits).toMatchObject({ maxConcurrentRequests: 3, usage: [], rate: { requestsPerMinute: null } });
    expect((await admin.get<{ limits: OrgLimits }>(`/api/orgs/${fixture.orgId}`)).body.limits.maxConcurrentRequests).toBe(3);

    const { runtime } = fixture.server;
    const [audit] = await openedAuditRows(
      runtime.database.db,
      runtime.apiDb,
      sql`org_id = ${fixture.orgId} and action = 'org.updated' and request_id = ${requestId}`,
    );
    expect(audit).toBeDefined();
    const diff = audit!.diff as { settings: { from: { limits?: OrgLimits }; to: { limits: OrgLimits } } };
    expect(diff.settings.from.limits?.maxConcurrentRequests ?? null).toBeNull();
    expect(diff.settings.to.limits.maxConcurrentRequests).toBe(3);

    // null lifts it again.
    const liftDelivered = orgChangedOn(fixture.server, fixture.orgId);
    const lifted = await admin.put<{ limits: OrgLimits }>(`/api/orgs/${fixture.orgId}/limits`, { maxConcurrentRequests: null });
    expect(lifted.body.limits.maxConcurrentRequests).toBeNull();
    await liftDelivered;
  });

  it('refuses a second concurrent request of the org with 429, logged as refused, while another org is unaffected', async () => {
    await setOrgLimits({ maxConcurrentRequests: 1 });
    fixture.openai.reset();
    const held = holdNext(fixture.openai, 1);
    const first = chat(fixture.gatewayUrl, fixture.apiKey);
    await arrived(fixture.openai, 1);

    const refusedId = `refused-${randomUUID()}`;
    expectConcurrencyRefusal(await chat(fixture.gatewayUrl, fixture.apiKey, { 'x-request-id': refusedId }), 1);
    // Another org shares the gateway, not the limit.
    const other = await chat(fixture.gatewayUrl, otherOrgKey);
    expect(other.status, other.text).toBe(200);

    held.release();
    expect((await first).status).toBe(200);
    const next = await eventually('the org to get its place back', async () => {
      const response = await chat(fixture.gatewayUrl, fixture.apiKey);
      return response.status === 429 ? undefined : response;
    });
    expect(next.status, next.text).toBe(200);

    const row = await waitForLog(fixture, refusedId);
    expect(row).toMatchObject({ status: 429, errorCode: 'concurrency_limit_exceeded', usageCounted: false, provider: null });
  });

  it('frees the place of an abandoned stream, and lifts the limit when it is set back to null', async () => {
    await setOrgLimits({ maxConcurrentRequests: 1 });
    fixture.openai.reset();
    const held = holdNext(fixture.openai, 1, 1);
    const abandon = new AbortController();
    const stream = await fetch(`${fixture.gatewayUrl}${CHAT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fixture.apiKey}` },
      body: JSON.stringify({ ...body, stream: true }),
      signal: abandon.signal,
    });
    const reader = stream.body!.getReader();
    await reader.read();
    expectConcurrencyRefusal(await chat(fixture.gatewayUrl, fixture.apiKey), 1);
    abandon.abort();
    await reader.cancel().catch(() => undefined);
    const served = await eventually('the abandoned stream to give its place back', async () => {
      const response = await chat(fixture.gatewayUrl, fixture.apiKey);
      return response.status === 429 ? undefined : response;
    });
    expect(served.status, served.text).toBe(200);
    held.release();

    await setOrgLimits({ maxConcurrentRequests: null });
    const unlimited = holdNext(fixture.openai, 2);
    const before = fixture.openai.requests.length;
    const both = [chat(fixture.gatewayUrl, fixture.apiKey), chat(fixture.gatewayUrl, fixture.apiKey)];
    await arrived(fixture.openai, before + 2);
    unlimited.release();
    expect((await Promise.all(both)).map((r) => r.status)).toEqual([200, 200]);
  });

  describe.skipIf(!redisUrlUnderTest)('with two gateway replicas sharing Redis', () => {
    let replica: TestServer;

    beforeAll(async () => {
      replica = await startGatewayReplica(fixture);
    });
    afterAll(async () => replica?.stop());

    it('shares one semaphore: a request in progress on one replica takes the org’s only place on the other', async () => {
      await setOrgLimits({ maxConcurrentRequests: null }, [fixture.server, replica]);
      // The replica caches the org's policy now, so the next change must reach it over the bus.
      expect((await chat(replica.gatewayUrl, fixture.apiKey)).status).toBe(200);
      await setOrgLimits({ maxConcurrentRequests: 1 }, [fixture.server, replica]);

      fixture.openai.reset();
      const held = holdNext(fixture.openai, 1);
      const first = chat(fixture.gatewayUrl, fixture.apiKey);
      await arrived(fixture.openai, 1);
      expectConcurrencyRefusal(await chat(replica.gatewayUrl, fixture.apiKey), 1);

      held.release();
      expect((await first).status).toBe(200);
      const next = await eventually('the place to be free for the replica', async () => {
        const response = await chat(replica.gatewayUrl, fixture.apiKey);
        return response.status === 429 ? undefined : response;
      });
      expect(next.status, next.text).toBe(200);
    });
  });
});

/** Resolves when `server` has delivered `org.changed` for the org (its cached org policy is gone). */
function orgChangedOn(server: TestServer, orgId: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('org.changed was never delivered'));
    }, 10_000);
    const unsubscribe = server.runtime.bus.subscribe((event) => {
      if (event.type === 'org.changed' && event.orgId === orgId) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
}

/** A second org on the same gateway, calling the same fake provider; returns its API key. */
async function bootstrapOtherOrg(fixture: GatewayFixture): Promise<string> {
  const document = {
    orgs: [
      {
        name: uniqueName('other'),
        plan: 'enterprise',
        providerKeys: [{ provider: 'openai', key: fixture.openai.apiKey, baseUrl: fixture.openai.baseUrl }],
        projects: [{ name: 'app', apiKeys: [{ name: 'app' }] }],
      },
    ],
  };
  const result = await applyBootstrap(parseBootstrapText(stringify(document), 'other-org.yaml'), {
    db: fixture.server.runtime.apiDb,
    keyring: fixture.server.runtime.keyring,
    ctx: operatorCtx,
  });
  const key = result.apiKeys[0]?.key;
  if (!key) throw new Error('the other org got no API key');
  return key;
}
