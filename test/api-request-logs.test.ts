/**
 * Request logs through the management api, on real gateway traffic: the list (newest first, paged
 * by cursor, filtered, project-scoped), one row with `bodyStored`, the stored bodies (decrypted,
 * owners and admins only, every read audited) and the CSV export (header, formula cells
 * neutralised). Another org's ids are 404 everywhere.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, createOrg, eventually, mintToken, type ApiClient, type IssuedKeyBody, type TestOrg } from './support/api.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { createPasswordUser, sessionApiClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';
const MODEL = 'openai/gpt-5.4-mini';

type LogView = {
  id: string;
  projectId: string | null;
  apiKeyId: string | null;
  requestId: string;
  model: string | null;
  provider: string | null;
  status: number;
  errorCode: string | null;
  costUsd: number | null;
  createdAt: string;
  bodyStored?: boolean;
};
type LogList = { requestLogs: LogView[]; nextCursor: string | null };
type AuditList = { events: { action: string; target: { type: string; id: string } | null; targetId?: string }[] };

let fx: GatewayFixture;
let other: TestOrg;
let owner: ApiClient;
let developer: ApiClient;
let otherOwner: ApiClient;
let restricted: ApiClient;
let appProjectId: string;
let secondProjectId: string;
let secondKeyId: string;
let appKeyId: string;
let all: LogView[];
const marker = `prompt-${randomUUID()}`;
const injectedRequestId = `-injected-${randomUUID().slice(0, 8)}`;
const EXPECTED_ROWS = 7;

const logsPath = (orgId: string, query = '') => `/api/orgs/${orgId}/request-logs${query ? `?${query}` : ''}`;

async function chat(key: string, model: string, headers: Record<string, string> = {}, messages: unknown = undefined): Promise<number> {
  const response = await fetch(`${fx.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: messages ?? [{ role: 'user', content: `hello ${marker}` }] }),
  });
  await response.text();
  return response.status;
}

beforeAll(async () => {
  fx = await startGatewayFixture({ withApi: true, projectSettings: { logBodies: true }, env: { PUBLIC_URL: ORIGIN } });
  const { server } = fx;
  const base = { orgId: fx.orgId, orgName: fx.orgName, projectId: '', testProjectId: '', memberId: '' };
  owner = apiClient(server, await mintToken(server, base, 'owner'));
  developer = apiClient(server, await mintToken(server, base, 'developer'));
  other = await createOrg(server, 'rl-other');
  otherOwner = apiClient(server, await mintToken(server, other, 'owner'));

  const projects = await owner.get<{ projects: { id: string; name: string }[] }>(`/api/orgs/${fx.orgId}/projects`);
  appProjectId = projects.body.projects.find((p) => p.name === 'app')!.id;
  const created = await owner.post<{ project: { id: string } }>(`/api/orgs/${fx.orgId}/projects`, { name: 'second' });
  expect(created.status, created.text).toBe(201);
  secondProjectId = created.body.project.id;
  const issued = await owner.post<IssuedKeyBody>(`/api/orgs/${fx.orgId}/projects/${secondProjectId}/api-keys`, { name: 'second' });
  expect(issued.status, issued.text).toBe(201);
  secondKeyId = issued.body.apiKey.id;

  // app (bodies stored): 3 answers, an invalid request, a would-be formula as the request id; second: 2 answers.
  for (let i = 0; i < 3; i++) expect(await chat(fx.apiKey, MODEL)).toBe(200);
  expect(await chat(fx.apiKey, MODEL, {}, 'not a list')).toBe(400);
  expect(await chat(fx.apiKey, MODEL, { 'x-request-id': injectedRequestId })).toBe(200);
  for (let i = 0; i < 2; i++) expect(await chat(issued.body.key, MODEL)).toBe(200);

  all = await eventually(async () => {
    const list = await owner.get<LogList>(logsPath(fx.orgId, 'limit=1000'));
    return list.body.requestLogs.length >= EXPECTED_ROWS ? list.body.requestLogs : undefined;
  }, 20_000);
  appKeyId = all.find((r) => r.projectId === appProjectId)!.apiKeyId!;

  // A signed-in developer limited to the `second` project.
  const user = await createPasswordUser(server, { org: { name: fx.orgName, role: 'developer' } });
  const session = await signIn(server, user.email, user.password, { origin: ORIGIN });
  restricted = sessionApiClient(server, session.cookie!, ORIGIN);
  const members = await owner.get<{ members: { id: string; userId: string }[] }>(`/api/orgs/${fx.orgId}/members`);
  const memberId = members.body.members.find((m) => m.userId === user.id)!.id;
  const limited = await owner.patch(`/api/orgs/${fx.orgId}/members/${memberId}`, { projectIds: [secondProjectId] });
  expect(limited.status, limited.text).toBe(200);
}, 120_000);

afterAll(async () => fx?.stop());

describe('listing', () => {
  it('lists every request, newest first, with the columns that mean something and never a body', async () => {
    const list = await owner.get<LogList>(logsPath(fx.orgId));
    expect(list.status, list.text).toBe(200);
    expect(list.body.requestLogs).toHaveLength(EXPECTED_ROWS);
    expect(list.body.nextCursor).toBeNull();
    const times = list.body.requestLogs.map((r) => Date.parse(r.createdAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const row = list.body.requestLogs.find((r) => r.status === 200)!;
    expect(row).toMatchObject({ provider: 'openai', model: MODEL });
    expect(row.costUsd).toBeGreaterThan(0);
    expect(Object.keys(row)).not.toContain('orgId');
    expect(Object.keys(row)).not.toContain('usageCounted');
    expect(list.text).not.toContain(marker);
  });

  it('pages by cursor without gaps or repeats, and refuses a cursor it did not hand out', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof owner.get<LogList>>> = await owner.get<LogList>(
        logsPath(fx.orgId, `limit=2${cursor ? `&before=${cursor}` : ''}`),
      );
      expect(page.status, page.text).toBe(200);
      expect(page.body.requestLogs.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.requestLogs.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.map((r) => r.id));
    const bad = await owner.get(logsPath(fx.orgId, 'before=bm90LWEtY3Vyc29y'));
    expect(bad.status).toBe(400);
  });

  it('filters by project, key, model, provider, status (exact or class), error code and time', async () => {
    const ids = async (query: string) => {
      const list = await owner.get<LogList>(logsPath(fx.orgId, query));
      expect(list.status, `${query}: ${list.text}`).toBe(200);
      return list.body.requestLogs.map((r) => r.id).sort();
    };
    const expected = (keep: (r: LogView) => boolean) =>
      all
        .filter(keep)
        .map((r) => r.id)
        .sort();
    expect(await ids(`projectId=${secondProjectId}`)).toEqual(expected((r) => r.projectId === secondProjectId));
    expect((await ids(`projectId=${secondProjectId}`)).length).toBe(2);
    expect(await ids(`apiKeyId=${secondKeyId}`)).toEqual(expected((r) => r.apiKeyId === secondKeyId));
    expect(await ids(`apiKeyId=${appKeyId}`)).toEqual(expected((r) => r.apiKeyId === appKeyId));
    expect(await ids(`model=${encodeURIComponent(MODEL)}`)).toEqual(expected((r) => r.model === MODEL));
    expect(await ids('provider=openai')).toEqual(expected((r) => r.provider === 'openai'));
    expect(await ids('status=200')).toEqual(expected((r) => r.status === 200));
    const failed = all.filter((r) => r.status >= 400 && r.status < 500);
    expect(failed.length).toBeGreaterThan(0);
    expect(await ids('status=4xx')).toEqual(expected((r) => r.status >= 400 && r.status < 500));
    expect(await ids('status=5xx')).toEqual([]);
    expect(await ids(`errorCode=${failed[0]!.errorCode}`)).toEqual(expected((r) => r.errorCode === failed[0]!.errorCode));
    // A request id (as a client chose it, or the gateway's): only a filter, so an unknown one is an empty list.
    expect(await ids(`requestId=${encodeURIComponent(injectedRequestId)}`)).toEqual(expected((r) => r.requestId === injectedRequestId));
    expect((await ids(`requestId=${encodeURIComponent(injectedRequestId)}`)).length).toBe(1);
    expect(await ids(`requestId=${all[0]!.requestId}&projectId=${all[0]!.projectId}`)).toEqual([all[0]!.id]);
    expect(await ids(`requestId=${randomUUID()}`)).toEqual([]);
    expect((await owner.get(logsPath(fx.orgId, 'requestId='))).status).toBe(400);
    const oldest = all.at(-1)!.createdAt;
    expect(await ids(`from=${encodeURIComponent(oldest)}`)).toEqual(expected(() => true));
    expect(await ids(`to=${encodeURIComponent(oldest)}`)).toEqual([]);
    expect(await ids(`from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).toEqual([]);
    expect((await owner.get(logsPath(fx.orgId, 'status=4x'))).status).toBe(400);
    expect((await owner.get(logsPath(fx.orgId, 'colour=red'))).status).toBe(400);
  });
});

describe('tenancy and project scope', () => {
  it('answers 404 to another org, and for another org’s ids', async () => {
    const id = all[0]!.id;
    for (const path of [
      logsPath(fx.orgId),
      `/api/orgs/${fx.orgId}/request-logs/${id}`,
      `/api/orgs/${fx.orgId}/request-logs/${id}/body`,
      `/api/orgs/${fx.orgId}/request-logs/export?format=csv`,
    ])
      expect((await otherOwner.get(path)).status, path).toBe(404);
    // Org A's ids under org B's path: not found, as if they did not exist.
    expect((await otherOwner.get(`/api/orgs/${other.orgId}/request-logs/${id}`)).status).toBe(404);
    expect((await otherOwner.get(`/api/orgs/${other.orgId}/request-logs/${id}/body`)).status).toBe(404);
    expect((await otherOwner.get(logsPath(other.orgId, `projectId=${appProjectId}`))).status).toBe(404);
    expect((await otherOwner.get(logsPath(other.orgId, `apiKeyId=${appKeyId}`))).status).toBe(404);
    const own = await otherOwner.get<LogList>(logsPath(other.orgId));
    expect(own.status).toBe(200);
    expect(own.body.requestLogs).toEqual([]);
  });

  it('a member limited to one project sees only its rows', async () => {
    const list = await restricted.get<LogList>(logsPath(fx.orgId));
    expect(list.status, list.text).toBe(200);
    expect(list.body.requestLogs.map((r) => r.id).sort()).toEqual(
      all
        .filter((r) => r.projectId === secondProjectId)
        .map((r) => r.id)
        .sort(),
    );
    const appRow = all.find((r) => r.projectId === appProjectId)!;
    expect((await restricted.get(`/api/orgs/${fx.orgId}/request-logs/${appRow.id}`)).status).toBe(404);
    expect((await restricted.get(logsPath(fx.orgId, `projectId=${appProjectId}`))).status).toBe(404);
    expect((await restricted.get(logsPath(fx.orgId, `apiKeyId=${appKeyId}`))).status).toBe(404);
    const csv = await restricted.get(`/api/orgs/${fx.orgId}/request-logs/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.text.trimEnd().split('\r\n')).toHaveLength(1 + 2);
    expect(csv.text).not.toContain(appRow.id);
  });
});

describe('one request and its bodies', () => {
  it('shows one row with whether its bodies are stored', async () => {
    const app = all.find((r) => r.projectId === appProjectId && r.status === 200)!;
    const second = all.find((r) => r.projectId === secondProjectId)!;
    const one = await developer.get<{ requestLog: LogView }>(`/api/orgs/${fx.orgId}/request-logs/${app.id}`);
    expect(one.status, one.text).toBe(200);
    expect(one.body.requestLog).toMatchObject({ id: app.id, bodyStored: true });
    expect(one.text).not.toContain(marker);
    const unstored = await developer.get<{ requestLog: LogView }>(`/api/orgs/${fx.orgId}/request-logs/${second.id}`);
    expect(unstored.body.requestLog.bodyStored).toBe(false);
    expect((await developer.get(`/api/orgs/${fx.orgId}/request-logs/${randomUUID()}`)).status).toBe(404);
  });

  it('decrypts the bodies for an owner, audits the read, refuses a developer and answers 404 when none is stored', async () => {
    const app = all.find((r) => r.projectId === appProjectId && r.status === 200)!;
    const path = `/api/orgs/${fx.orgId}/request-logs/${app.id}/body`;
    const refused = await developer.get(path);
    expect(refused.status).toBe(403);
    expect(refused.error?.code).toBe('permission_denied');
    expect(refused.text).not.toContain(marker);

    const auditPath = `/api/orgs/${fx.orgId}/audit/events?action=request_log.body_read`;
    const before = (await owner.get<AuditList>(auditPath)).body.events.length;
    const read = await owner.get<{ requestLogId: string; request: string; response: string | null }>(path);
    expect(read.status, read.text).toBe(200);
    expect(read.body.requestLogId).toBe(app.id);
    expect(read.body.request).toContain(marker);
    expect(read.body.response).not.toBeNull();
    const events = (await owner.get<AuditList>(auditPath)).body.events;
    expect(events.length).toBe(before + 1);
    expect(JSON.stringify(events[0])).toContain(app.id);
    expect(JSON.stringify(events)).not.toContain(marker);

    const second = all.find((r) => r.projectId === secondProjectId)!;
    const none = await owner.get(`/api/orgs/${fx.orgId}/request-logs/${second.id}/body`);
    expect(none.status).toBe(404);
    expect(none.error?.code).toBe('request_body_not_found');
    expect((await owner.get<AuditList>(auditPath)).body.events.length).toBe(before + 1);
  });
});

describe('CSV export', () => {
  it('streams a header and one record per row, with formula cells neutralised', async () => {
    const response = await owner.get(`/api/orgs/${fx.orgId}/request-logs/export?format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="request-logs-.+\.csv"$/);
    const text = response.text;
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,created_at,project_id,api_key_id,request_id,/);
    expect(lines).toHaveLength(1 + EXPECTED_ROWS);
    expect(text).not.toContain(marker);
    expect(text).toContain(`,'${injectedRequestId},`);
    expect(text).not.toMatch(new RegExp(`,${injectedRequestId}`));
  });

  it('records each export, with its filters, in the audit log', async () => {
    const auditPath = `/api/orgs/${fx.orgId}/audit/events?action=request_log.exported`;
    const before = (await owner.get<AuditList>(auditPath)).body.events.length;
    const csv = await owner.get(`/api/orgs/${fx.orgId}/request-logs/export?format=csv&projectId=${secondProjectId}&status=2xx`);
    expect(csv.status).toBe(200);
    const events = (await owner.get<{ events: { actor: { userId?: string } | null; diff: unknown }[] }>(auditPath)).body.events;
    expect(events).toHaveLength(before + 1);
    expect(events[0]!.diff).toEqual({ format: 'csv', filters: { projectId: secondProjectId, status: '2xx' } });
    // A refused export (unknown project) leaves no event: nothing was exported.
    const refused = await owner.get(`/api/orgs/${fx.orgId}/request-logs/export?format=csv&projectId=${crypto.randomUUID()}`);
    expect(refused.status).toBe(404);
    expect((await owner.get<AuditList>(auditPath)).body.events).toHaveLength(before + 1);
  });

  it('applies the filters and refuses an unknown format', async () => {
    const csv = await owner.get(`/api/orgs/${fx.orgId}/request-logs/export?format=csv&projectId=${secondProjectId}`);
    expect(csv.status).toBe(200);
    expect(csv.text.trimEnd().split('\r\n')).toHaveLength(1 + 2);
    const one = await owner.get(`/api/orgs/${fx.orgId}/request-logs/export?format=csv&requestId=${encodeURIComponent(injectedRequestId)}`);
    expect(one.status, one.text).toBe(200);
    expect(one.text.trimEnd().split('\r\n')).toHaveLength(1 + 1);
    expect(one.text).toContain(`'${injectedRequestId}`);
    expect((await owner.get(`/api/orgs/${fx.orgId}/request-logs/export?format=xlsx`)).status).toBe(400);
  });
});
