/**
 * Tenant isolation, exhaustively. Two orgs, A and B, each with members, a live and a test project,
 * API keys (live, test, personal), admin tokens, provider keys (org-wide and project-scoped),
 * request logs, audit events, limits, a budget webhook and aliases — all made by the real code
 * (bootstrap, the management api, the gateway).
 *
 * Management api: EVERY route of the registry (read from it, so routes added later are covered
 * without being listed here) is called with org A's owner token, and again as org A's owner
 * signed in (session cookie), with org B's ids — in the path, in
 * the query and in the body. Each attempt must be a 404 identical to the answer for ids that exist
 * nowhere (no existence oracle), and nothing that identifies org B (ids, names, labels, key
 * fragments, last4 values, emails, URLs) may appear in any response body, header or log line.
 * A route carrying an id the suite does not know how to fill fails the suite.
 *
 * Gateway: org A's key naming org B's alias, asking for org B's cached answer, or for a model only
 * org B has a provider key for, gets org A's view only; `/v1/models` lists org A's models only.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApiRoute } from '../src/api/registry.js';
import { queryRows } from '../src/db/rows.js';
import { startFakeAnthropic } from './fakes/anthropic.js';
import type { FakeUpstream } from './fakes/fake-upstream.js';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import { apiClient, registeredRoutes, type ApiClient, type ApiResponse } from './support/api.js';
import {
  buildTenant,
  generateTemplate,
  idFieldPaths,
  leaksIn,
  pathParams,
  placeholders,
  fill,
  providerSecret,
  ref,
  responseText,
  type IdKind,
  type IdRef,
  type Template,
  type Tenant,
} from './support/isolation.js';
import { startTestServer, type TestServer } from './support/server.js';
import { signedInMember } from './support/sessions.js';

const CHAT_MODEL = 'openai/gpt-5.4-mini';
const B_ONLY_MODEL = 'anthropic/claude-haiku-4-5';
/** Both orgs define an alias of this name, each to its own provider. */
const SHARED_ALIAS = 'team-default';

let server: TestServer;
let openaiA: FakeOpenAI;
let openaiB: FakeOpenAI;
let anthropicB: FakeUpstream;
let a: Tenant;
let b: Tenant;
let asA: ApiClient;
/** Org A's owner signed in (session cookie): the same probes must hold for cookie authentication. */
let asASession: ApiClient;
let routes: ApiRoute[];

beforeAll(async () => {
  const anthropicKey = providerSecret('b', 'sk-ant-api03');
  [openaiA, openaiB, anthropicB] = await Promise.all([
    startFakeOpenAI({ apiKey: providerSecret('a', 'sk-proj') }),
    startFakeOpenAI({ apiKey: providerSecret('b', 'sk-proj') }),
    startFakeAnthropic({ apiKey: anthropicKey }),
  ]);
  server = await startTestServer({ services: ['gateway', 'api'] });
  a = await buildTenant(server, {
    tag: 'a',
    fakes: { openai: openaiA },
    aliases: { [SHARED_ALIAS]: [CHAT_MODEL], 'a-only-fast': [CHAT_MODEL] },
    ownAlias: 'a-only-fast',
    model: CHAT_MODEL,
  });
  const bAlias = `b-only-${randomUUID().slice(0, 8)}`;
  b = await buildTenant(server, {
    tag: 'b',
    fakes: { openai: openaiB, anthropic: { fake: anthropicB, apiKey: anthropicKey } },
    aliases: { [SHARED_ALIAS]: [B_ONLY_MODEL], [bAlias]: [B_ONLY_MODEL] },
    ownAlias: bAlias,
    model: B_ONLY_MODEL,
  });
  asA = apiClient(server, a.ownerToken);
  asASession = await signedInMember(server, a.orgName, 'owner');
  routes = registeredRoutes(server);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await Promise.all([openaiA, openaiB, anthropicB].map((fake) => fake?.close()));
});

// ---------------------------------------------------------------------------------------------
// Request templates: which ids go where. Routes without an entry get one generated from their
// schemas; a route whose ids cannot be placed fails `knows how to fill every id`.

type RouteTemplates = { query?: Template[]; body?: Template[] };

const TEMPLATES: Readonly<Record<string, RouteTemplates>> = {
  getUsage: {
    query: [
      { scope: 'project', id: ref('project'), period: 'lifetime' },
      { scope: 'api_key', id: ref('apiKey'), period: 'lifetime' },
    ],
  },
  getUsageTimeseries: {
    query: [
      { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', bucket: 'hour', projectId: ref('project') },
      { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', bucket: 'hour', apiKeyId: ref('apiKey') },
    ],
  },
  createProject: { body: [{ name: 'isolation-probe' }] },
  createApiKey: { body: [{ name: 'isolation-probe', ownerMemberId: ref('member') }] },
  updateApiKey: { body: [{ name: 'isolation-probe' }] },
  rotateApiKey: { body: [{ gracePeriodSeconds: 0 }] },
  createAdminToken: { body: [{ name: 'isolation-probe', role: 'viewer' }] },
  setOrgLimits: { body: [{ usage: [] }] },
  setProjectLimits: { body: [{ usage: [] }] },
  setBudgetWebhook: { body: [{ url: 'https://isolation.example.com/hook' }] },
  createProviderKey: { body: [{ provider: 'openai', key: 'sk-isolation-probe-0000000000', projectIds: [ref('project')] }] },
  updateProviderKey: { body: [{ label: 'isolation-probe', projectIds: [ref('project')] }] },
  testProviderKey: { body: [{ projectId: ref('project') }] },
  playgroundChat: { body: [{ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'isolation probe' }] }] },
};

type Resolved = {
  route: ApiRoute;
  params: { name: string; kind: IdKind }[];
  queries: (Template | undefined)[];
  bodies: (Template | undefined)[];
};

const where = (route: ApiRoute) => `${route.operationId} (${route.method.toUpperCase()} ${route.path})`;

/** The route's path params, query and body templates, or the reason the suite cannot probe it. */
function resolve(route: ApiRoute): Resolved | string {
  let params;
  try {
    params = pathParams(route);
  } catch (error) {
    return (error as Error).message;
  }
  const given = TEMPLATES[route.operationId];
  const variants = (schema: ApiRoute['query'] | ApiRoute['body'], explicit: Template[] | undefined, what: 'query' | 'body') => {
    if (schema === undefined) return { ok: [undefined] as (Template | undefined)[] };
    const candidates = explicit ?? [generateTemplate(schema)];
    const ok: Template[] = [];
    for (const candidate of candidates) {
      if (candidate === undefined)
        return { error: `${where(route)}: cannot build a valid ${what}; add a template for ${route.operationId} to TEMPLATES` };
      const sample = fill(candidate, () => randomUUID());
      const parsed = schema.safeParse(what === 'query' ? stringifyQuery(sample) : sample);
      if (!parsed.success) return { error: `${where(route)}: the ${what} template does not validate: ${parsed.error.message}` };
      ok.push(candidate);
    }
    // Every id-bearing field of the schema must be exercised by some variant.
    const covered = new Set(ok.flatMap((t) => placeholders(t).map((p) => p.path.join('.'))));
    const missing = idFieldPaths(schema)
      .map((p) => p.join('.'))
      .filter((p) => !covered.has(p));
    if (missing.length > 0)
      return { error: `${where(route)}: the ${what} field(s) ${missing.join(', ')} carry ids the templates never fill; extend TEMPLATES` };
    return { ok };
  };
  const query = variants(route.query, given?.query, 'query');
  if ('error' in query) return query.error!;
  const body = variants(route.body, given?.body, 'body');
  if ('error' in body) return body.error!;
  return { route, params, queries: query.ok, bodies: body.ok };
}

/** Query values travel as strings. */
function stringifyQuery(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

type Call = { method: string; path: string; body: unknown };

function buildCall(route: ApiRoute, pathIds: Record<string, string>, query: unknown, body: unknown): Call {
  let path = route.path.replace(/:([A-Za-z][A-Za-z0-9_]*)/g, (_m, name: string) => pathIds[name]!);
  const search = new URLSearchParams(stringifyQuery(query)).toString();
  if (search) path += `?${search}`;
  return { method: route.method.toUpperCase(), path, body };
}

const send = (client: ApiClient, call: Call) => client.call(call.method, call.path, call.body);

/** Status, error envelope and header names: what must not differ between "B's id" and "no such id". */
function shape(response: ApiResponse<unknown>) {
  return {
    status: response.status,
    error: response.error,
    headers: [...response.headers.keys()].filter((h) => h !== 'date').sort(),
  };
}

type Probe = { label: string; call: Call; control: Call; foreignOrg?: true };

/** Every cross-tenant attempt for one route: B's org; B's ids in A's paths; B's ids in A's queries and bodies. */
function probesFor(resolved: Resolved): Probe[] {
  const { route, params, queries, bodies } = resolved;
  const probes: Probe[] = [];
  const random = () => randomUUID();
  const first = (tenant: Tenant, kind: IdKind) => tenant.ids[kind][0]!;
  const pathOf = (tenant: Tenant | 'none') =>
    Object.fromEntries(params.map((p) => [p.name, tenant === 'none' ? random() : first(tenant, p.kind)]));
  for (const query of queries) {
    for (const body of bodies) {
      const withIds = (template: Template | undefined, choose: (r: IdRef, i: number) => string) => fill(template, choose);
      // 1. Org B in the path, every id B's.
      probes.push({
        label: `${where(route)} with org B's ids throughout`,
        call: buildCall(
          route,
          pathOf(b),
          withIds(query, (r) => first(b, r.kind)),
          withIds(body, (r) => first(b, r.kind)),
        ),
        control: buildCall(route, pathOf('none'), withIds(query, random), withIds(body, random)),
        foreignOrg: true,
      });
      const aQuery = withIds(query, (r) => first(a, r.kind));
      const aBody = withIds(body, (r) => first(a, r.kind));
      // 2. Org A in the path, one of B's resources in another path parameter.
      for (const param of params.filter((p) => p.kind !== 'org')) {
        for (const bId of b.ids[param.kind]) {
          probes.push({
            label: `${where(route)} with org B's ${param.kind} in :${param.name}`,
            call: buildCall(route, { ...pathOf(a), [param.name]: bId }, aQuery, aBody),
            control: buildCall(route, { ...pathOf(a), [param.name]: random() }, aQuery, aBody),
          });
        }
      }
      // 3. Everything A's, one of B's ids in the query or the body.
      for (const [part, template] of [
        ['query', query],
        ['body', body],
      ] as const) {
        placeholders(template).forEach((placeholder, index) => {
          for (const bId of b.ids[placeholder.ref.kind]) {
            const swap = (id: string) => (r: IdRef, i: number) => (i === index ? id : first(a, r.kind));
            const q = (id: string) => (part === 'query' ? withIds(query, swap(id)) : aQuery);
            const bd = (id: string) => (part === 'body' ? withIds(body, swap(id)) : aBody);
            probes.push({
              label: `${where(route)} with org B's ${placeholder.ref.kind} in ${part} ${placeholder.path.join('.')}`,
              call: buildCall(route, pathOf(a), q(bId), bd(bId)),
              control: buildCall(route, pathOf(a), q(random()), bd(random())),
            });
          }
        });
      }
    }
  }
  return probes;
}

/** B's rows in every tenant table, as the database owner sees them (RLS does not filter it). */
async function snapshotOf(tenant: Tenant): Promise<Record<string, unknown[]>> {
  const db = server.runtime.database.db;
  const tables = [
    'projects',
    'members',
    'api_keys',
    'admin_tokens',
    'provider_keys',
    'provider_key_projects',
    'tenant_keys',
    'org_secrets',
    'request_logs',
    'audit_events',
  ];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = await queryRows<{ row: unknown }>(
      db,
      sql`select to_jsonb(t) as row from ${sql.identifier(table)} t where t.org_id = ${tenant.orgId}::uuid order by to_jsonb(t)::text`,
    );
    out[table] = rows.map((r) => r.row);
  }
  out.organizations = (
    await queryRows<{ row: unknown }>(db, sql`select to_jsonb(o) as row from organizations o where o.id = ${tenant.orgId}::uuid`)
  ).map((r) => r.row);
  return out;
}

/** Log lines written since `from`, minus the request path A chose (the access log records it). */
function logLinesSince(from: number, sentPaths: ReadonlySet<string>): string[] {
  return server.logLines.slice(from).map((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (typeof parsed.path === 'string' && sentPaths.has(parsed.path)) parsed.path = '(the path org A sent)';
      return JSON.stringify(parsed);
    } catch {
      return line;
    }
  });
}

// ---------------------------------------------------------------------------------------------

describe('management api: every route, every id of org B', () => {
  it('refuses to skip a route whose ids it cannot place (the guard of this suite)', () => {
    const base = routes.find((r) => r.operationId === 'getProject')!;
    const unknownParam: ApiRoute = {
      ...base,
      operationId: 'x1',
      path: '/api/orgs/:orgId/widgets/:widgetId',
      params: z.object({ orgId: z.uuid(), widgetId: z.uuid() }),
    };
    expect(resolve(unknownParam)).toMatch(/:widgetId/);
    const genericId: ApiRoute = {
      ...base,
      operationId: 'x2',
      path: '/api/orgs/:orgId/provider-keys/:id',
      params: z.object({ orgId: z.uuid(), id: z.uuid() }),
    };
    expect(typeof resolve(genericId)).not.toBe('string');
    const unknownBodyId: ApiRoute = { ...base, operationId: 'x3', method: 'post', body: z.object({ widgetIds: z.array(z.uuid()) }) };
    expect(resolve(unknownBodyId)).toMatch(/widgetIds/);
    const unknownQueryId: ApiRoute = { ...base, operationId: 'x4', query: z.object({ id: z.uuid().optional() }) };
    expect(resolve(unknownQueryId)).toMatch(/TEMPLATES/);
  });

  it('knows how to fill every id of every registered route', () => {
    expect(routes.length).toBeGreaterThanOrEqual(19);
    const problems = routes.map(resolve).filter((r): r is string => typeof r === 'string');
    expect(problems).toEqual([]);
  });

  it('answers 404, identical to ids that exist nowhere, and says, logs and changes nothing of org B', { timeout: 240_000 }, async () => {
    const resolved = routes.map(resolve).filter((r): r is Resolved => typeof r !== 'string');
    const probes = resolved.flatMap(probesFor);
    // Every route is attempted at least once with org B's org id.
    expect(new Set(probes.map((p) => p.label.split(' with ')[0])).size).toBe(routes.length);
    const before = await snapshotOf(b);
    const firstLine = server.logLines.length;
    const sentPaths = new Set<string>();
    const failures: string[] = [];
    // A's least privileged credential too: on another org it must be a 404 as well, never the
    // 403 "you may not" that would confirm the org exists.
    const asViewer = apiClient(server, a.adminTokens[0]!.token);
    for (const probe of probes) {
      sentPaths.add(probe.call.path.split('?')[0]!);
      sentPaths.add(probe.control.path.split('?')[0]!);
      for (const [who, client] of probe.foreignOrg
        ? ([
            ['owner', asA],
            ['viewer', asViewer],
            ['owner signed in', asASession],
          ] as const)
        : ([
            ['owner', asA],
            ['owner signed in', asASession],
          ] as const)) {
        const label = `${probe.label} (A's ${who})`;
        const response = await send(client, probe.call);
        const control = await send(client, probe.control);
        if (response.status !== 404) failures.push(`${label}: ${response.status} ${response.text.slice(0, 300)}`);
        else if (JSON.stringify(shape(response)) !== JSON.stringify(shape(control)))
          failures.push(
            `${label}: differs from ids that exist nowhere: ${JSON.stringify(shape(response))} vs ${JSON.stringify(shape(control))}`,
          );
        const leaks = leaksIn(responseText(response), b.fingerprints);
        if (leaks.length > 0) failures.push(`${label}: the response names ${leaks.join(', ')}`);
      }
    }
    const logLeaks = logLinesSince(firstLine, sentPaths).flatMap((line) => leaksIn(line, b.fingerprints).map((l) => `${l} in ${line}`));
    expect(failures).toEqual([]);
    expect(logLeaks).toEqual([]);
    // Nothing of B changed: no row, no audit event, no request log.
    expect(await snapshotOf(b)).toEqual(before);
  });

  it("answers org B's root exactly like an org that does not exist", async () => {
    const foreign = await asA.get(`/api/orgs/${b.orgId}`);
    const nowhere = await asA.get(`/api/orgs/${randomUUID()}`);
    expect(foreign.status).toBe(404);
    expect(shape(foreign)).toEqual(shape(nowhere));
    expect(foreign.text).toBe(nowhere.text);
    expect(leaksIn(responseText(foreign), b.fingerprints)).toEqual([]);
    // Upper-case spelling of B's id: still not A's to see.
    const upper = await asA.get(`/api/orgs/${b.orgId.toUpperCase()}`);
    expect(shape(upper)).toEqual(shape(nowhere));
  });

  it("org B's own tokens still work and its key still serves: the probes broke nothing", async () => {
    expect((await b.asOwner.get(`/api/orgs/${b.orgId}`)).status).toBe(200);
    const viewer = apiClient(server, b.adminTokens[0]!.token);
    expect((await viewer.get(`/api/orgs/${b.orgId}/projects`)).status).toBe(200);
    const models = await fetch(`${server.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${b.liveKey.key}` } });
    await models.arrayBuffer();
    expect(models.status).toBe(200);
  });

  it("every read route shows org A its own data and nothing of org B's", async () => {
    const checked: string[] = [];
    for (const resolved of routes.map(resolve).filter((r): r is Resolved => typeof r !== 'string')) {
      if (resolved.route.method !== 'get') continue;
      for (const query of resolved.queries) {
        const pathIds = Object.fromEntries(resolved.params.map((p) => [p.name, a.ids[p.kind][0]!]));
        const call = buildCall(
          resolved.route,
          pathIds,
          fill(query, (r) => a.ids[r.kind][0]!),
          undefined,
        );
        const response = await send(asA, call);
        expect(response.status, `${where(resolved.route)}: ${response.text}`).toBe(200);
        expect(leaksIn(responseText(response), b.fingerprints), where(resolved.route)).toEqual([]);
        checked.push(resolved.route.operationId);
      }
    }
    // Control: the same reads as org B do show B's data, so the fingerprints are live.
    const bProjects = await b.asOwner.get(`/api/orgs/${b.orgId}/projects`);
    expect(leaksIn(bProjects.text, b.fingerprints).length).toBeGreaterThan(0);
    expect(checked).toContain('listProjects');
  });
});

// ---------------------------------------------------------------------------------------------

type GatewayResponse = { status: number; headers: Headers; text: string; json: unknown };

async function chat(key: string, body: Record<string, unknown>): Promise<GatewayResponse> {
  const response = await fetch(`${server.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

async function getGateway(key: string, path: string): Promise<GatewayResponse> {
  const response = await fetch(`${server.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as unknown };
}

const errorCode = (json: unknown) => (json as { error?: { code?: string } } | undefined)?.error?.code;
const contentOf = (json: unknown) => (json as { choices?: { message?: { content?: string } }[] }).choices?.[0]?.message?.content;
const modelIds = (json: unknown) => (json as { data: { id: string }[] }).data.map((m) => m.id);
const ask = (text: string) => [{ role: 'user', content: text }];

describe("gateway: org A's key sees org A's world only", () => {
  let firstLine = 0;
  beforeAll(() => {
    firstLine = server.logLines.length;
  });
  beforeEach(() => {
    for (const fake of [openaiA, openaiB, anthropicB]) fake.reset();
  });
  const expectNothingOfB = (response: GatewayResponse, what: string) => {
    expect(leaksIn(responseText(response), b.fingerprints), what).toEqual([]);
  };
  const expectBUntouched = () => {
    expect(openaiB.requests).toHaveLength(0);
    expect(anthropicB.requests).toHaveLength(0);
  };

  it('an alias name both orgs use resolves to org A’s own targets', async () => {
    for (const key of [a.liveKey.key, a.testKey.key]) {
      const response = await chat(key, { model: SHARED_ALIAS, messages: ask('which alias?') });
      expect(response.status, response.text).toBe(200);
      expect(response.headers.get('x-portcullis-provider')).toBe('openai');
      expectNothingOfB(response, SHARED_ALIAS);
    }
    expect(openaiA.requests).toHaveLength(2);
    expectBUntouched();
  });

  it("org B's own alias does not exist for org A: the same answer as a name nobody defined", async () => {
    const foreign = await chat(a.liveKey.key, { model: b.ownAlias, messages: ask('hi') });
    const nobody = `b-only-${randomUUID().slice(0, 8)}`;
    const unknown = await chat(a.liveKey.key, { model: nobody, messages: ask('hi') });
    expect(foreign.status).toBe(404);
    expect(errorCode(foreign.json)).toBe('model_not_found');
    expect(foreign.text.replaceAll(b.ownAlias, '<name>')).toBe(unknown.text.replaceAll(nobody, '<name>'));
    // The alias name is what A sent; anything else of B's would be a leak.
    expect(
      leaksIn(
        responseText(foreign),
        b.fingerprints.filter((f) => f.label !== 'own alias'),
      ),
    ).toEqual([]);
    const model = await getGateway(a.liveKey.key, `/v1/models/${encodeURIComponent(b.ownAlias)}`);
    expect(model.status).toBe(404);
    expectBUntouched();
  });

  it('a model only org B has a provider key for is no_provider_key for org A, pinned or bare', async () => {
    for (const model of [B_ONLY_MODEL, B_ONLY_MODEL.split('/')[1]!]) {
      const response = await chat(a.liveKey.key, { model, messages: ask('hi') });
      expect(response.status, model).toBe(400);
      expect(errorCode(response.json), model).toBe('no_provider_key');
      expectNothingOfB(response, model);
    }
    // Control: B is served that model.
    const served = await chat(b.liveKey.key, { model: B_ONLY_MODEL, messages: ask('hi') });
    expect(served.status).toBe(200);
    expect(anthropicB.requests).toHaveLength(1);
    anthropicB.reset();
    expect(openaiA.requests).toHaveLength(0);
  });

  it("the same request org B sent with the cache on is a MISS for org A, answered by org A's provider", async () => {
    const body = { model: CHAT_MODEL, messages: ask(`cache isolation ${randomUUID()}`) };
    const secret = `B-CONFIDENTIAL-ANSWER-${randomUUID()}`;
    openaiB.reply({ text: secret, usage: { input: 5, output: 5 } });
    const bFirst = await chat(b.liveKey.key, body);
    expect(bFirst.status, bFirst.text).toBe(200);
    expect(contentOf(bFirst.json)).toBe(secret);
    expect(bFirst.headers.get('x-portcullis-cache')).toBe('MISS');
    // The entry exists: B itself now gets a HIT (the cache write is asynchronous; poll).
    let bAgain = await chat(b.liveKey.key, body);
    for (let i = 0; i < 40 && bAgain.headers.get('x-portcullis-cache') !== 'HIT'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      bAgain = await chat(b.liveKey.key, body);
    }
    expect(bAgain.headers.get('x-portcullis-cache')).toBe('HIT');
    expect(contentOf(bAgain.json)).toBe(secret);

    const aFirst = await chat(a.liveKey.key, body);
    expect(aFirst.status, aFirst.text).toBe(200);
    expect(aFirst.headers.get('x-portcullis-cache')).toBe('MISS');
    expect(aFirst.text).not.toContain(secret);
    expect(openaiA.requests).toHaveLength(1);
    expectNothingOfB(aFirst, 'cache');
    // A's own entry is A's answer.
    let aAgain = await chat(a.liveKey.key, body);
    for (let i = 0; i < 40 && aAgain.headers.get('x-portcullis-cache') !== 'HIT'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      aAgain = await chat(a.liveKey.key, body);
    }
    expect(aAgain.headers.get('x-portcullis-cache')).toBe('HIT');
    expect(aAgain.text).not.toContain(secret);
    expect(contentOf(aAgain.json)).toBe(contentOf(aFirst.json));
  });

  it("/v1/models lists org A's models and aliases only", async () => {
    const listA = await getGateway(a.liveKey.key, '/v1/models');
    const listB = await getGateway(b.liveKey.key, '/v1/models');
    expect(listA.status).toBe(200);
    const idsA = modelIds(listA.json);
    const idsB = modelIds(listB.json);
    expect(idsA).toContain(CHAT_MODEL);
    expect(idsA).toContain(SHARED_ALIAS);
    expect(idsA).toContain(a.ownAlias);
    expect(idsA.filter((id) => id.startsWith('anthropic/'))).toEqual([]);
    expect(idsA).not.toContain(b.ownAlias);
    // Control: B's list does have them.
    expect(idsB).toContain(B_ONLY_MODEL);
    expect(idsB).toContain(b.ownAlias);
    expect(leaksIn(responseText(listA), b.fingerprints)).toEqual([]);
    const testList = await getGateway(a.testKey.key, '/v1/models');
    expect(modelIds(testList.json).filter((id) => id.startsWith('anthropic/') || id === b.ownAlias)).toEqual([]);
    // A's alias of the shared name shows A's targets.
    const shared = (listA.json as { data: { id: string; fallbacks?: string[] }[] }).data.find((m) => m.id === SHARED_ALIAS);
    expect(shared?.fallbacks).toEqual([CHAT_MODEL]);
  });

  it('logs nothing of org B while serving org A (or B: request lines carry no tenant data)', () => {
    expect(server.logLines.length).toBeGreaterThan(firstLine);
    const leaks = server.logLines.slice(firstLine).flatMap((line) =>
      leaksIn(
        line,
        b.fingerprints.filter((f) => f.label !== 'own alias'),
      ).map((l) => `${l} in ${line}`),
    );
    expect(leaks).toEqual([]);
  });
});
