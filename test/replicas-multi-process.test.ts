/**
 * Replicas without sticky sessions (issue 11, "Scale"): one `portcullis api` and two
 * `portcullis gateway` processes on one fresh PostgreSQL database and one Redis, started the way
 * an operator starts them (migrate, bootstrap, then the services). An application talks to either
 * gateway at random with the official OpenAI SDK; what it must not notice:
 *
 * - a key revoked through the api stops on both gateways (the measured time is printed);
 * - a usage limit and a rate limit are counted once across both, not once per replica;
 * - config changes made through the api (the org's guardrail policy, a rotated provider key) reach
 *   both, though each gateway had the old one in memory;
 * - every request is logged exactly once, whichever gateway served it.
 *
 * Runs only with TEST_DATABASE_URL (a superuser URL: it creates and drops its own database) and
 * TEST_REDIS_URL (shared with other tests: this deployment has its own key prefix).
 */
import { randomUUID } from 'node:crypto';
import OpenAI, { APIError } from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import { apiClient, type ApiClient, type IssuedKeyBody, type IssuedTokenBody } from './support/api.js';
import { removeTempDirs, stopChildren, stopProcess } from './support/cli.js';
import {
  bootstrapDeployment,
  createDeployment,
  dropDeployment,
  runCommand,
  startService,
  type Deployment,
  type ServiceProcess,
} from './support/replica-processes.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

const MODEL = 'openai/gpt-5.4-mini';
/** What the issue asks for is 1 s; the assertion allows 5 s so a loaded CI machine does not flake, and the figure is printed. */
const PROPAGATION_BUDGET_MS = 5_000;
const POLL_INTERVAL_MS = 20;

type Outcome = { status: number; code: string | null | undefined };

describe.skipIf(!adminUrl || !redisUrl)('one api and two gateway processes sharing PostgreSQL and Redis', () => {
  let deployment: Deployment | undefined;
  let fake: FakeOpenAI;
  /** The provider endpoint of the rotated provider key: the gateways call it from that test on. */
  let rotated: FakeOpenAI | undefined;
  let api: ServiceProcess;
  let gatewayA: ServiceProcess;
  let gatewayB: ServiceProcess;
  let admin: ApiClient;
  let orgId: string;
  let projectId: string;
  /** Request ids of every chat completion sent (each must be logged once) and of every other request (each at most once). */
  const sentChatIds: string[] = [];
  const sentOtherIds: string[] = [];

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    deployment = await createDeployment(adminUrl!, redisUrl!);
    const orgName = `replicas-${deployment.runId}`;
    // The services start while the operator seeds the org: nothing is cached yet, so nothing is stale.
    const services = Promise.all([
      startService(deployment, 'api'),
      startService(deployment, 'gateway'),
      startService(deployment, 'gateway'),
    ]);
    const seeded = (async (d: Deployment) => {
      await bootstrapDeployment(d, {
        orgs: [
          {
            name: orgName,
            plan: 'enterprise',
            providerKeys: [{ provider: 'openai', key: fake.apiKey, baseUrl: fake.baseUrl }],
            projects: [{ name: 'app' }],
          },
        ],
      });
      const token = await runCommand(d, ['tokens', 'create', '--org', orgName, '--name', 'replicas-test', '--role', 'owner']);
      if (token.code !== 0) throw new Error(`portcullis tokens create failed:\n${token.stderr}`);
      return JSON.parse(token.stdout) as IssuedTokenBody & { orgId: string };
    })(deployment);
    const [[apiProcess, a, b], issued] = await Promise.all([services, seeded]);
    [api, gatewayA, gatewayB] = [apiProcess, a, b];
    console.info(`processes ready in: api ${api.readyMs} ms, gateway A ${a.readyMs} ms, gateway B ${b.readyMs} ms`);
    orgId = issued.orgId;
    admin = apiClient({ apiUrl: api.url }, issued.token);
    const listed = await admin.get<{ projects: { id: string; name: string }[] }>(`/api/orgs/${orgId}/projects`);
    expect(listed.status, listed.text).toBe(200);
    projectId = listed.body.projects.find((p) => p.name === 'app')!.id;
  }, 120_000);

  afterAll(async () => {
    await stopChildren({ all: true });
    await fake?.close();
    await rotated?.close();
    if (deployment) await dropDeployment(adminUrl!, deployment);
    removeTempDirs();
  }, 60_000);

  /** A key created through the api process, with these limits. */
  async function createKey(name: string, limits?: unknown): Promise<IssuedKeyBody> {
    const created = await admin.post<IssuedKeyBody>(`/api/orgs/${orgId}/projects/${projectId}/api-keys`, {
      name: `${name}-${randomUUID().slice(0, 8)}`,
      ...(limits === undefined ? {} : { limits }),
    });
    expect(created.status, created.text).toBe(201);
    return created.body;
  }

  function client(gateway: ServiceProcess, key: string): OpenAI {
    return new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 20_000 });
  }

  /** A fresh request id, remembered: every request this file sends carries one. */
  function nextRequestId(sent: string[]): { headers: Record<string, string> } {
    const requestId = `rep-${deployment!.runId}-${randomUUID()}`;
    sent.push(requestId);
    return { headers: { 'x-request-id': requestId } };
  }

  /** One chat completion through the SDK: its status and error code. */
  function chat(gateway: ServiceProcess, key: string, content = 'hello from a replica test'): Promise<Outcome> {
    return outcome(
      client(gateway, key).chat.completions.create(
        { model: MODEL, messages: [{ role: 'user', content }], max_tokens: 16 },
        nextRequestId(sentChatIds),
      ),
    );
  }

  /** GET /v1/models through the SDK: whether the gateway accepts the key. */
  function listModels(gateway: ServiceProcess, key: string): Promise<Outcome> {
    return outcome(client(gateway, key).models.list(nextRequestId(sentOtherIds)));
  }

  async function outcome(call: Promise<unknown>): Promise<Outcome> {
    try {
      await call;
      return { status: 200, code: null };
    } catch (error) {
      if (error instanceof APIError) return { status: error.status ?? 0, code: error.code };
      throw error;
    }
  }

  /** `count` requests at once, alternating between A and B. */
  function stampede(key: string, count: number): Promise<Outcome[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => chat(i % 2 === 0 ? gatewayA : gatewayB, key)));
  }

  function tally(outcomes: Outcome[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const o of outcomes) {
      const label = o.status === 200 ? '200' : `${o.status} ${o.code ?? ''}`;
      counts[label] = (counts[label] ?? 0) + 1;
    }
    return counts;
  }

  /** When a change took effect on one gateway, in ms since it was sent to the api. */
  type Propagation = {
    /** The first request answered the new way was sent this late: the change had reached the gateway by then. */
    sentMs: number;
    /** …and its answer arrived this late (what a client notices; includes the request's own time on a loaded machine). */
    answeredMs: number;
  };

  /** Polls one gateway until `changed` says its answer is the new one. Fails after the budget, with the last answer. */
  async function propagation(
    gateway: ServiceProcess,
    since: number,
    probe: () => Promise<Outcome>,
    changed: (o: Outcome) => boolean,
  ): Promise<Propagation> {
    let last: Outcome | undefined;
    while (performance.now() - since < PROPAGATION_BUDGET_MS) {
      const sentAt = performance.now();
      last = await probe();
      if (changed(last)) return { sentMs: Math.round(sentAt - since), answeredMs: Math.round(performance.now() - since) };
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
    throw new Error(`${gateway.url} still answered ${JSON.stringify(last)} ${PROPAGATION_BUDGET_MS} ms after the change`);
  }

  const describePropagation = (p: Propagation) => `${p.sentMs} ms (answered at ${p.answeredMs} ms)`;
  const describeOrNever = (p: Propagation | undefined) => (p ? describePropagation(p) : 'never');

  it('a key revoked through the api is refused by both gateways, where it was cached, within the budget', async () => {
    const issued = await createKey('revoked');
    const models = (gateway: ServiceProcess) => () => listModels(gateway, issued.key);
    // Both gateways have authenticated (and cached) the key.
    for (const gateway of [gatewayA, gatewayB, gatewayA, gatewayB]) expect(await models(gateway)()).toEqual({ status: 200, code: null });

    const revokedAt = performance.now();
    const revoke = await admin.post(`/api/orgs/${orgId}/api-keys/${issued.apiKey.id}/revoke`);
    expect(revoke.status, revoke.text).toBe(200);
    const apiAnsweredMs = Math.round(performance.now() - revokedAt);
    const isRevoked = (o: Outcome) => o.status === 401 && o.code === 'revoked_api_key';
    const [onA, onB] = await Promise.all([
      propagation(gatewayA, revokedAt, models(gatewayA), isRevoked),
      propagation(gatewayB, revokedAt, models(gatewayB), isRevoked),
    ]);
    console.info(
      `revocation (measured from sending the revoke to the api; the api answered in ${apiAnsweredMs} ms): ` +
        `reached gateway A in ${describePropagation(onA)}, gateway B in ${describePropagation(onB)}`,
    );
    expect(Math.max(onA.answeredMs, onB.answeredMs)).toBeLessThan(PROPAGATION_BUDGET_MS);
    // And it stays refused on both (not a momentary miss).
    expect(await models(gatewayA)()).toEqual({ status: 401, code: 'revoked_api_key' });
    expect(await models(gatewayB)()).toEqual({ status: 401, code: 'revoked_api_key' });
  });

  it('a usage limit of 10 requests a day holds exactly: 30 concurrent requests split across A and B, 10 served', async () => {
    const issued = await createKey('usage', { usage: [{ metric: 'requests', period: 'daily', limit: 10 }] });
    // Both gateways know the key before the stampede (listing models uses none of the limit), so
    // neither wins every race by being the first to have it cached.
    for (const gateway of [gatewayA, gatewayB]) expect(await listModels(gateway, issued.key)).toEqual({ status: 200, code: null });
    const before = fake.requests.length;
    const outcomes = await stampede(issued.key, 30);
    expect(tally(outcomes)).toEqual({ '200': 10, '429 usage_limit_exceeded': 20 });
    // Only the served ones reached the provider.
    expect(fake.requests.length - before).toBe(10);
    // Which replica wins each race is timing; the total is what proves one shared counter (per-replica counters would serve up to 20).
    const servedBy = (from: number) => outcomes.filter((o, i) => i % 2 === from && o.status === 200).length;
    console.info(`usage limit 10/day: gateway A served ${servedBy(0)}, gateway B served ${servedBy(1)}; 20 refused`);
  });

  it('a rate limit of 5 a minute is shared: 12 concurrent requests across A and B, 5 served', async () => {
    const issued = await createKey('rate', { rate: { requestsPerMinute: 5 } });
    const outcomes = await stampede(issued.key, 12);
    expect(tally(outcomes)).toEqual({ '200': 5, '429 rate_limit_exceeded': 7 });
    // One more on each gateway is still refused: neither has a budget of its own.
    expect(await chat(gatewayA, issued.key)).toEqual({ status: 429, code: 'rate_limit_exceeded' });
    expect(await chat(gatewayB, issued.key)).toEqual({ status: 429, code: 'rate_limit_exceeded' });
  });

  it('a guardrail policy changed through the api is enforced by both gateways, which had the old one cached', async () => {
    const issued = await createKey('policy');
    const term = `forbidden-${randomUUID().slice(0, 8)}`;
    const ask = (gateway: ServiceProcess) => () => chat(gateway, issued.key, `please talk about ${term}`);
    // Both gateways have served this org under the old policy (and cached it).
    expect(await ask(gatewayA)()).toEqual({ status: 200, code: null });
    expect(await ask(gatewayB)()).toEqual({ status: 200, code: null });

    const changedAt = performance.now();
    const policy = await admin.put(`/api/orgs/${orgId}/guardrails`, {
      customRules: [{ name: 'no-forbidden-term', kind: 'blocklist', terms: [term], action: 'block' }],
    });
    expect(policy.status, policy.text).toBe(200);
    const blocked = (o: Outcome) => o.status === 400 && o.code === 'guardrail_blocked';
    const [onA, onB] = await Promise.all([
      propagation(gatewayA, changedAt, ask(gatewayA), blocked),
      propagation(gatewayB, changedAt, ask(gatewayB), blocked),
    ]);
    console.info(
      `guardrail policy change (measured from sending it to the api): reached gateway A in ${describePropagation(onA)}, gateway B in ${describePropagation(onB)}`,
    );
    expect(Math.max(onA.answeredMs, onB.answeredMs)).toBeLessThan(PROPAGATION_BUDGET_MS);
    // Other text still passes on both: the policy changed, the org was not cut off.
    expect(await chat(gatewayA, issued.key, 'something harmless')).toEqual({ status: 200, code: null });
    expect(await chat(gatewayB, issued.key, 'something harmless')).toEqual({ status: 200, code: null });
  });

  it('a provider key rotated through the api (new secret, new endpoint) is used by both gateways, which had the old one decrypted in memory', async () => {
    const newProvider = await startFakeOpenAI({ apiKey: `sk-rotated-${randomUUID()}` });
    rotated = newProvider;
    const issued = await createKey('provider-rotation');
    // Both gateways have called the provider with the old key (and keep it decrypted in memory).
    const oldBefore = fake.requests.length;
    expect(await chat(gatewayA, issued.key)).toEqual({ status: 200, code: null });
    expect(await chat(gatewayB, issued.key)).toEqual({ status: 200, code: null });
    expect(fake.requests.length - oldBefore).toBe(2);

    const listed = await admin.get<{ providerKeys: { id: string; provider: string }[] }>(`/api/orgs/${orgId}/provider-keys`);
    expect(listed.status, listed.text).toBe(200);
    const openaiKey = listed.body.providerKeys.find((k) => k.provider === 'openai')!;
    const changedAt = performance.now();
    const patched = await admin.patch(`/api/orgs/${orgId}/provider-keys/${openaiKey.id}`, {
      key: newProvider.apiKey,
      baseUrl: newProvider.baseUrl,
    });
    expect(patched.status, patched.text).toBe(200);
    // One gateway at a time, so each call's upstream is known: the new provider endpoint saw it or not.
    const switchedAfter = new Map<ServiceProcess, Propagation>();
    while (switchedAfter.size < 2 && performance.now() - changedAt < PROPAGATION_BUDGET_MS) {
      for (const gateway of [gatewayA, gatewayB]) {
        if (switchedAfter.has(gateway)) continue;
        const seen = newProvider.requests.length;
        const sentAt = performance.now();
        expect(await chat(gateway, issued.key)).toEqual({ status: 200, code: null });
        if (newProvider.requests.length > seen)
          switchedAfter.set(gateway, { sentMs: Math.round(sentAt - changedAt), answeredMs: Math.round(performance.now() - changedAt) });
      }
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
    console.info(
      `provider key rotation (measured from sending it to the api): reached gateway A in ${describeOrNever(switchedAfter.get(gatewayA))}, ` +
        `gateway B in ${describeOrNever(switchedAfter.get(gatewayB))}`,
    );
    expect(switchedAfter.size).toBe(2);
    for (const p of switchedAfter.values()) expect(p.answeredMs).toBeLessThan(PROPAGATION_BUDGET_MS);
    // From now on the old key is never used again, by either gateway, and the new one is sent.
    const oldAfter = fake.requests.length;
    for (const gateway of [gatewayA, gatewayB, gatewayA, gatewayB])
      expect(await chat(gateway, issued.key)).toEqual({ status: 200, code: null });
    expect(fake.requests.length).toBe(oldAfter);
    expect(newProvider.requests.at(-1)?.headers.authorization).toBe(`Bearer ${newProvider.apiKey}`);
  });

  it('every request sent to either gateway is logged exactly once, none missing, none duplicated', async () => {
    const issued = await createKey('logged');
    const outcomes = await stampede(issued.key, 40);
    expect(tally(outcomes)).toEqual({ '200': 40 });

    // Stop both gateways gracefully: the writer flushes what it holds, and nothing can be written later.
    await Promise.all([stopProcess(gatewayA), stopProcess(gatewayB)]);
    expect(await gatewayA.exited).toEqual({ code: 0, signal: null });
    expect(await gatewayB.exited).toEqual({ code: 0, signal: null });

    const owner = new pg.Client({ connectionString: deployment!.databaseUrl });
    await owner.connect();
    let rows: { request_id: string; rows: number }[];
    try {
      const result = await owner.query<{ request_id: string; rows: number }>(
        `select request_id, count(*)::int as rows from request_logs where org_id = $1 group by request_id`,
        [orgId],
      );
      rows = result.rows;
    } finally {
      await owner.end();
    }
    const logged = new Map(rows.map((r) => [r.request_id, r.rows]));
    const sent = new Set([...sentChatIds, ...sentOtherIds]);
    const missing = sentChatIds.filter((id) => !logged.has(id));
    const duplicated = rows.filter((r) => r.rows !== 1);
    const unknown = rows.filter((r) => !sent.has(r.request_id));
    console.info(
      `request logs: ${sentChatIds.length} chat completions (and ${sentOtherIds.length} model listings) sent across both gateways; ` +
        `${rows.length} rows, ${missing.length} missing, ${duplicated.length} duplicated`,
    );
    expect({ missing, duplicated, unknown }).toEqual({ missing: [], duplicated: [], unknown: [] });
  });
});
