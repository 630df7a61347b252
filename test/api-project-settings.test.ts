/**
 * A project's gateway settings through the management api (GET/PUT .../projects/:projectId/settings):
 * the bootstrap schema refuses bad bodies naming the field, tenancy and roles as every route,
 * `project.updated` audited with the diff, and a running gateway applying the change at once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, createOrg, mintToken, type ApiClient, type TestOrg } from './support/api.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { afterInvalidation, bodyRowsOf, eventually, projectAndKeyIds, rawPost, waitForLog } from './support/resilience.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from './support/sessions.js';

type SettingsBody = { settings: Record<string, unknown> & { aliases: Record<string, string[]> }; version: string };
type EventList = { events: { action: string; target: { type: string; id: string } | null; diff: Record<string, unknown> | null }[] };

const settingsPath = (orgId: string, projectId: string) => `/api/orgs/${orgId}/projects/${projectId}/settings`;

describe('project settings api', () => {
  let server: TestServer;
  let org: TestOrg;
  let other: TestOrg;
  let owner: ApiClient;
  let admin: ApiClient;
  let developer: ApiClient;

  beforeAll(async () => {
    server = await startTestServer({ services: ['api'] });
    org = await createOrg(server, 'pset');
    other = await createOrg(server, 'pset-other');
    owner = apiClient(server, await mintToken(server, org, 'owner'));
    admin = apiClient(server, await mintToken(server, org, 'admin'));
    developer = apiClient(server, await mintToken(server, org, 'developer'));
  }, 60_000);
  afterAll(async () => server?.stop());

  it('reads the defaults, replaces the settings as a whole and audits the diff once per change', async () => {
    const path = settingsPath(org.orgId, org.projectId);
    const initial = await developer.get<SettingsBody>(path);
    expect(initial.status).toBe(200);
    expect(initial.body.settings).toMatchObject({ cache: { enabled: false, ttlSeconds: 3600 }, logBodies: false, allowedModels: null });
    expect(initial.headers.get('etag')).toBe(`"${initial.body.version}"`);

    const next = {
      cache: { enabled: true, ttlSeconds: 60 },
      allowedModels: ['openai/gpt-5.4-mini', 'fast'],
      aliases: { fast: ['openai/gpt-5.4-mini'] },
    };
    const saved = await admin.put<SettingsBody>(path, next);
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.settings).toMatchObject({ ...next, logBodies: false, maxRetries: 2 });
    expect(saved.body.version).not.toBe(initial.body.version);
    expect((await developer.get<SettingsBody>(path)).body).toEqual(saved.body);
    // The same settings again change nothing and write no event.
    expect((await admin.put<SettingsBody>(path, next)).body.version).toBe(saved.body.version);

    const events = await owner.get<EventList>(`/api/orgs/${org.orgId}/audit/events?action=project.updated&targetId=${org.projectId}`);
    expect(events.status).toBe(200);
    expect(events.body.events).toHaveLength(1);
    const diff = events.body.events[0]!.diff as { settings: { from: unknown; to: Record<string, unknown> } };
    expect(events.body.events[0]!.target).toEqual({ type: 'project', id: org.projectId });
    expect(diff.settings.to).toMatchObject(next);
  });

  it('refuses bodies the bootstrap schema refuses, naming the field', async () => {
    const path = settingsPath(org.orgId, org.testProjectId);
    const cases: [unknown, string][] = [
      [{ cahce: { enabled: true } }, 'cahce'],
      [{ cache: { enabled: true, ttlSeconds: 0 } }, 'cache.ttlSeconds'],
      [{ cache: { enabled: true, extra: 1 } }, 'cache.extra'],
      [{ logBodies: 'yes' }, 'logBodies'],
      [{ allowedModels: [''] }, 'allowedModels[0]'],
      [{ aliases: { fast: [] } }, 'aliases.fast'],
      [{ maxRetries: 9 }, 'maxRetries'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.put(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.error?.message, JSON.stringify(body)).toContain(field);
    }
    expect((await admin.put(path, [])).status).toBe(400);
    expect((await developer.get<SettingsBody>(path)).body.settings).toMatchObject({ cache: { enabled: false } });
  });

  it('is 404 for another org’s project or org, 403 for a developer writing', async () => {
    const body = { logBodies: true };
    // Another org's project under our org, and another org's path with our token: as if absent.
    expect((await admin.get(settingsPath(org.orgId, other.projectId))).status).toBe(404);
    expect((await admin.put(settingsPath(org.orgId, other.projectId), body)).status).toBe(404);
    expect((await admin.get(settingsPath(other.orgId, other.projectId))).status).toBe(404);
    expect((await admin.put(settingsPath(other.orgId, other.projectId), body)).status).toBe(404);
    expect((await admin.put(settingsPath(org.orgId, randomUUID()), body)).status).toBe(404);
    const refused = await developer.put(settingsPath(org.orgId, org.projectId), body);
    expect(refused.status).toBe(403);
    expect((await developer.get<SettingsBody>(settingsPath(org.orgId, org.projectId))).body.settings.logBodies).toBe(false);
  });

  it('a member limited to some projects reads only theirs', async () => {
    const origin = new URL(server.runtime.config.publicUrl).origin;
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const session = await signIn(server, user.email, user.password, { origin });
    const viewer = sessionApiClient(server, session.cookie!, origin);
    const members = await owner.get<{ members: { id: string; userId: string }[] }>(`/api/orgs/${org.orgId}/members`);
    const memberId = members.body.members.find((m) => m.userId === user.id)!.id;
    const limited = await owner.patch(`/api/orgs/${org.orgId}/members/${memberId}`, { projectIds: [org.projectId] });
    expect(limited.status, limited.text).toBe(200);
    expect((await viewer.get(settingsPath(org.orgId, org.projectId))).status).toBe(200);
    expect((await viewer.get(settingsPath(org.orgId, org.testProjectId))).status).toBe(404);
  });

  it('with If-Match, refuses a change made since the read (409)', async () => {
    const path = settingsPath(org.orgId, org.testProjectId);
    const read = await admin.get<SettingsBody>(path);
    const first = await admin.call<SettingsBody>('PUT', path, { maxRetries: 1 }, { 'if-match': `"${read.body.version}"` });
    expect(first.status, first.text).toBe(200);
    const stale = await admin.call('PUT', path, { maxRetries: 3 }, { 'if-match': `"${read.body.version}"` });
    expect(stale.status).toBe(409);
    expect(stale.error?.code).toBe('version_conflict');
    expect((await admin.get<SettingsBody>(path)).body.settings.maxRetries).toBe(1);
  });
});

describe('a running gateway applies the settings at once', () => {
  let fx: GatewayFixture;
  let admin: ApiClient;
  let path: string;
  const MINI = 'openai/gpt-5.4-mini';
  const HAIKU = 'anthropic/claude-haiku-4-5';
  const chat = (model: string, content = 'Hi', headers: Record<string, string> = {}) =>
    rawPost(fx, '/v1/chat/completions', { model, messages: [{ role: 'user', content }] }, { headers });

  beforeAll(async () => {
    fx = await startGatewayFixture({ withApi: true, projectSettings: { allowedModels: [MINI, HAIKU] } });
    const token = await mintToken(fx.server, { orgId: fx.orgId, orgName: fx.orgName } as TestOrg, 'admin');
    admin = apiClient(fx.server, token);
    path = settingsPath(fx.orgId, (await projectAndKeyIds(fx, 'openai')).projectId);
  }, 120_000);
  afterAll(async () => fx?.stop());

  it('refuses a model removed from allowedModels and serves an alias added, right after the PUT', async () => {
    expect((await chat(HAIKU)).status).toBe(200);
    // The PUT announces org.changed; through Redis delivery to this process is one hop.
    const put = await afterInvalidation(fx, () => admin.put(path, { allowedModels: [MINI, 'quick'], aliases: { quick: [MINI] } }));
    expect(put.status, put.text).toBe(200);
    const refused = await chat(HAIKU);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('model_not_allowed');
    expect(fx.anthropic.requests).toHaveLength(1);
    const aliased = await chat('quick');
    expect(aliased.status, aliased.text).toBe(200);
    expect(aliased.headers.get('x-portcullis-provider')).toBe('openai');
  });

  it('stores the next request’s body once logBodies is switched on', async () => {
    const put = await afterInvalidation(fx, () => admin.put(path, { logBodies: true }));
    expect(put.status, put.text).toBe(200);
    const id = `ps-body-${randomUUID()}`;
    const res = await chat(MINI, `remember ${randomUUID()}`, { 'x-request-id': id });
    expect(res.status, res.text).toBe(200);
    const log = await waitForLog(fx, id);
    const rows = await eventually('the request_bodies row', async () => {
      const found = await bodyRowsOf(fx, log.id);
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toHaveLength(1);
  });
});
