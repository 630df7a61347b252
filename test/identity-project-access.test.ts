/**
 * Project-level access over real HTTP: a developer or viewer limited to some projects sees only
 * those in every list and gets 404 for everything of the others (as for another org's resources),
 * on the very next request after the change, and again everything once the limit is lifted.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/auth/permissions.js';
import { queryRows } from '../src/db/rows.js';
import {
  apiClient,
  createOrg,
  mintToken,
  type ApiClient,
  type IssuedKeyBody,
  type KeyBody,
  type KeyListBody,
  type TestOrg,
} from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';
const UNUSED_KEY = 'sk-test-project-access-0000000000000000';

type Person = { client: ApiClient; userId: string; memberId: string };
type MemberView = { id: string; userId: string; role: Role; projectIds: string[] | null };
type MemberList = { members: MemberView[] };
type ProjectList = { projects: { id: string; name: string }[] };
type ProviderKeyList = { providerKeys: { id: string; label: string; projectIds: string[] }[] };
type MeBody = { memberships: { orgId: string; role: Role; projectIds: string[] | null }[] };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
}, 60_000);
afterAll(async () => server?.stop());

/** Signed-in members of a fresh org (projects `app` and `sandbox`), one per role given. */
async function team(roles: Role[]): Promise<{ org: TestOrg; people: Person[] }> {
  const org = await createOrg(server, 'pacc');
  const people: Person[] = [];
  for (const role of roles) {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role } });
    const session = await signIn(server, user.email, user.password, { origin: ORIGIN });
    people.push({ client: sessionApiClient(server, session.cookie!, ORIGIN), userId: user.id, memberId: '' });
  }
  const list = await people[0]!.client.get<MemberList>(`/api/orgs/${org.orgId}/members`);
  for (const person of people) person.memberId = list.body.members.find((m) => m.userId === person.userId)!.id;
  return { org, people };
}

const memberPath = (org: TestOrg, person: Person) => `/api/orgs/${org.orgId}/members/${person.memberId}`;

describe('project-level access', () => {
  let org: TestOrg;
  let owner: Person;
  let restricted: Person;
  let unrestricted: Person;
  let admin: Person;
  let appKey: string;
  let sandboxKey: string;
  const providerKeys = {} as Record<'everyProject' | 'app' | 'sandbox' | 'both', string>;

  beforeAll(async () => {
    const made = await team(['owner', 'developer', 'developer', 'admin']);
    org = made.org;
    [owner, restricted, unrestricted, admin] = made.people as [Person, Person, Person, Person];
    const ownerToken = apiClient(server, await mintToken(server, org, 'owner'));
    const keys = (projectId: string) => `/api/orgs/${org.orgId}/projects/${projectId}/api-keys`;
    appKey = (await ownerToken.post<IssuedKeyBody>(keys(org.projectId), { name: 'app-key' })).body.apiKey.id;
    sandboxKey = (await ownerToken.post<IssuedKeyBody>(keys(org.testProjectId), { name: 'sandbox-key' })).body.apiKey.id;
    const scopes = { everyProject: [], app: [org.projectId], sandbox: [org.testProjectId], both: [org.projectId, org.testProjectId] };
    for (const [label, projectIds] of Object.entries(scopes)) {
      const created = await ownerToken.post<{ providerKey: { id: string } }>(`/api/orgs/${org.orgId}/provider-keys`, {
        provider: 'openai',
        label,
        key: UNUSED_KEY,
        projectIds,
      });
      expect(created.status, created.text).toBe(201);
      providerKeys[label as keyof typeof providerKeys] = created.body.providerKey.id;
    }
    // The developer is signed in before the change: it applies to their next request all the same.
    const limited = await owner.client.patch<{ member: MemberView }>(memberPath(org, restricted), {
      projectIds: [org.projectId, org.projectId.toUpperCase(), org.projectId],
    });
    expect(limited.status, limited.text).toBe(200);
    expect(limited.body.member).toMatchObject({ role: 'developer', projectIds: [org.projectId] });
  }, 60_000);

  /** [what, method, path, body, status for the restricted developer]; an unrestricted one gets none of the 404s. */
  const table = (): [string, string, string, unknown, number][] => {
    const base = `/api/orgs/${org.orgId}`;
    return [
      ['own project', 'GET', `${base}/projects/${org.projectId}`, undefined, 200],
      ['own project, upper-case id', 'GET', `${base}/projects/${org.projectId.toUpperCase()}`, undefined, 200],
      ['other project', 'GET', `${base}/projects/${org.testProjectId}`, undefined, 404],
      ['other project, upper-case id', 'GET', `${base}/projects/${org.testProjectId.toUpperCase()}`, undefined, 404],
      ['keys of own project', 'GET', `${base}/projects/${org.projectId}/api-keys`, undefined, 200],
      ['keys of other project', 'GET', `${base}/projects/${org.testProjectId}/api-keys`, undefined, 404],
      ['create key in other project', 'POST', `${base}/projects/${org.testProjectId}/api-keys`, { name: 'sneaky' }, 404],
      ['create key, invalid body, other project', 'POST', `${base}/projects/${org.testProjectId}/api-keys`, { nope: 1 }, 404],
      ['own key', 'GET', `${base}/api-keys/${appKey}`, undefined, 200],
      ['other key', 'GET', `${base}/api-keys/${sandboxKey}`, undefined, 404],
      ['rename other key', 'PATCH', `${base}/api-keys/${sandboxKey}`, { name: 'renamed' }, 404],
      ['rotate other key', 'POST', `${base}/api-keys/${sandboxKey}/rotate`, { gracePeriodSeconds: 0 }, 404],
      ['revoke other key', 'POST', `${base}/api-keys/${sandboxKey}/revoke`, undefined, 404],
      ['delete other key', 'DELETE', `${base}/api-keys/${sandboxKey}`, undefined, 404],
      ['usage of own project', 'GET', `${base}/usage?scope=project&id=${org.projectId}`, undefined, 200],
      ['usage of other project', 'GET', `${base}/usage?scope=project&id=${org.testProjectId}`, undefined, 404],
      ['usage of own key', 'GET', `${base}/usage?scope=api_key&id=${appKey}`, undefined, 200],
      ['usage of other key', 'GET', `${base}/usage?scope=api_key&id=${sandboxKey}`, undefined, 404],
      ['usage of the whole org', 'GET', `${base}/usage`, undefined, 403],
      ['provider key for every project', 'GET', `${base}/provider-keys/${providerKeys.everyProject}`, undefined, 200],
      ['provider key of own project', 'GET', `${base}/provider-keys/${providerKeys.app}`, undefined, 200],
      ['provider key of other project', 'GET', `${base}/provider-keys/${providerKeys.sandbox}`, undefined, 404],
    ];
  };

  it('answers a restricted developer 404 for everything of other projects, and as usual for their own', async () => {
    for (const [what, method, path, body, status] of table()) {
      const response = await restricted.client.call(method, path, body);
      expect(response.status, `${what}: ${response.text}`).toBe(status);
      if (status === 404) expect(response.text, what).not.toContain('sandbox');
    }
    const usage = await restricted.client.get(`/api/orgs/${org.orgId}/usage`);
    expect(usage.error?.code).toBe('project_access_restricted');
    // Nothing of the other project changed.
    const ownerKeys = await owner.client.get<KeyListBody>(`/api/orgs/${org.orgId}/projects/${org.testProjectId}/api-keys`);
    expect(ownerKeys.body.apiKeys.map((k) => [k.name, k.status])).toEqual([['sandbox-key', 'active']]);
  });

  it('lets an unrestricted developer reach every project', async () => {
    for (const [what, method, path, body, status] of table()) {
      // Reads only: the writes would change the other project's key for the tests after this one.
      if (method !== 'GET') continue;
      const response = await unrestricted.client.call(method, path, body);
      expect(response.status, `${what}: ${response.text}`).toBe(status === 404 || status === 403 ? 200 : status);
    }
    expect((await unrestricted.client.get<ProjectList>(`/api/orgs/${org.orgId}/projects`)).body.projects.map((p) => p.name)).toEqual([
      'app',
      'sandbox',
    ]);
  });

  it('filters lists to the permitted projects', async () => {
    const projects = await restricted.client.get<ProjectList>(`/api/orgs/${org.orgId}/projects`);
    expect(projects.body.projects.map((p) => p.id)).toEqual([org.projectId]);

    const keys = await restricted.client.get<ProviderKeyList>(`/api/orgs/${org.orgId}/provider-keys`);
    const byLabel = Object.fromEntries(keys.body.providerKeys.map((k) => [k.label, k.projectIds]));
    // The key shared with the other project shows only this one: the other's id stays unknown.
    expect(byLabel).toEqual({ everyProject: [], app: [org.projectId], both: [org.projectId] });

    const members = await restricted.client.get<MemberList>(`/api/orgs/${org.orgId}/members`);
    expect(members.body.members.find((m) => m.id === restricted.memberId)?.projectIds).toEqual([org.projectId]);
    expect(members.body.members.find((m) => m.id === unrestricted.memberId)?.projectIds).toBeNull();

    // Creating and rotating keys in the permitted project works as before.
    const created = await restricted.client.post<IssuedKeyBody>(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`, {
      name: 'mine',
    });
    expect(created.status, created.text).toBe(201);
    expect(
      (
        await restricted.client.post<IssuedKeyBody>(`/api/orgs/${org.orgId}/api-keys/${created.body.apiKey.id}/rotate`, {
          gracePeriodSeconds: 0,
        })
      ).status,
    ).toBe(200);
    expect((await restricted.client.post<KeyBody>(`/api/orgs/${org.orgId}/api-keys/${created.body.apiKey.id}/revoke`)).status).toBe(200);
  });

  it('tells each member their own project limit at /api/me, so the dashboard asks only for what it may read', async () => {
    const mine = async (person: Person) =>
      (await person.client.get<MeBody>('/api/me')).body.memberships.filter((m) => m.orgId === org.orgId);
    expect(await mine(restricted)).toEqual([{ orgId: org.orgId, orgName: org.orgName, role: 'developer', projectIds: [org.projectId] }]);
    expect(await mine(unrestricted)).toEqual([{ orgId: org.orgId, orgName: org.orgName, role: 'developer', projectIds: null }]);
    expect((await mine(owner))[0]?.projectIds).toBeNull();
    // Only the caller's own memberships: nothing of the other members' limits.
    const ownerMe = await owner.client.get<MeBody>('/api/me');
    expect(ownerMe.body.memberships).toHaveLength(1);
    expect(ownerMe.text).not.toContain(org.projectId);
  });

  it('does not limit admin tokens, admins or owners', async () => {
    const adminRestricted = await owner.client.patch(memberPath(org, admin), { projectIds: [org.projectId] });
    expect(adminRestricted.status).toBe(400);
    expect(adminRestricted.error?.code).toBe('project_access_role');
    const ownerRestricted = await owner.client.patch(memberPath(org, owner), { projectIds: [org.projectId] });
    expect(ownerRestricted.error?.code).toBe('project_access_role');
    const promoteRestricted = await owner.client.patch(memberPath(org, unrestricted), { role: 'admin', projectIds: [org.projectId] });
    expect(promoteRestricted.error?.code).toBe('project_access_role');
    // null is "every project", which is what an admin has anyway.
    expect((await owner.client.patch(memberPath(org, admin), { projectIds: null })).status).toBe(200);
    const developerToken = apiClient(server, await mintToken(server, org, 'developer'));
    expect((await developerToken.get(`/api/orgs/${org.orgId}/projects/${org.testProjectId}`)).status).toBe(200);
  });

  it('refuses unknown, foreign and malformed project ids, and callers without members:write', async () => {
    const other = await createOrg(server, 'pacc-other');
    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const [id, what] of [
      [unknownId, 'unknown'],
      [other.projectId, 'another org’s project'],
    ] as const) {
      const refused = await owner.client.patch(memberPath(org, unrestricted), { projectIds: [org.projectId, id] });
      expect(refused.status, what).toBe(404);
      expect(refused.error?.code, what).toBe('project_not_found');
    }
    const tooMany = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const body of [{}, { projectIds: ['not-a-uuid'] }, { projectIds: org.projectId }, { projectIds: tooMany }, { projects: [] }]) {
      const refused = await owner.client.patch(memberPath(org, unrestricted), body);
      expect(refused.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(refused.error?.code).toBe('validation_error');
    }
    // Nothing of that stuck.
    const members = await owner.client.get<MemberList>(`/api/orgs/${org.orgId}/members`);
    expect(members.body.members.find((m) => m.id === unrestricted.memberId)?.projectIds).toBeNull();
    // A developer cannot limit (or free) anyone, themselves included.
    const byDeveloper = await restricted.client.patch(memberPath(org, restricted), { projectIds: null });
    expect(byDeveloper.status).toBe(403);
    expect(byDeveloper.error?.code).toBe('permission_denied');
  });

  it('answers 404 across tenants', async () => {
    const other = await team(['owner', 'developer']);
    const [otherOwner, otherDeveloper] = other.people as [Person, Person];
    // Another org's member through this org's path, and this org's member through theirs.
    const wrongMember = await owner.client.patch(`/api/orgs/${org.orgId}/members/${otherDeveloper.memberId}`, {
      projectIds: [org.projectId],
    });
    expect(wrongMember.status).toBe(404);
    expect(
      (await otherOwner.client.patch(`/api/orgs/${other.org.orgId}/members/${restricted.memberId}`, { projectIds: null })).status,
    ).toBe(404);
    expect((await otherOwner.client.patch(memberPath(org, restricted), { projectIds: null })).status).toBe(404);
    // The restricted developer's own limit is per org: the other org's projects stay foreign (404) either way.
    expect((await restricted.client.get(`/api/orgs/${other.org.orgId}/projects/${other.org.projectId}`)).status).toBe(404);
  });

  it('audits changes as member.updated and restores access on the next request when the limit is lifted', async () => {
    const lifted = await owner.client.patch<{ member: MemberView }>(memberPath(org, restricted), { projectIds: null });
    expect(lifted.status).toBe(200);
    expect(lifted.body.member.projectIds).toBeNull();
    // Same session, no sign-in again: a change of project access alone does not end sessions.
    expect((await restricted.client.get(`/api/orgs/${org.orgId}/projects/${org.testProjectId}`)).status).toBe(200);
    expect((await restricted.client.get<ProjectList>(`/api/orgs/${org.orgId}/projects`)).body.projects).toHaveLength(2);
    expect((await restricted.client.get(`/api/orgs/${org.orgId}/usage`)).status).toBe(200);
    expect((await restricted.client.get<MeBody>('/api/me')).body.memberships[0]?.projectIds).toBeNull();

    // An empty list: a member of the org who sees no project yet.
    expect((await owner.client.patch(memberPath(org, restricted), { projectIds: [] })).status).toBe(200);
    expect((await restricted.client.get<ProjectList>(`/api/orgs/${org.orgId}/projects`)).body.projects).toEqual([]);
    expect((await restricted.client.get(`/api/orgs/${org.orgId}/projects/${org.projectId}`)).status).toBe(404);

    const events = await queryRows<{ action: string; diff: { projectIds?: { from: unknown; to: unknown } } }>(
      server.runtime.database.db,
      sql`select action, diff from audit_events where org_id = ${org.orgId} and target_id = ${restricted.memberId} and action <> 'member.added' order by occurred_at`,
    );
    expect(events.map((e) => e.action)).toEqual(['member.updated', 'member.updated', 'member.updated']);
    expect(events.map((e) => e.diff.projectIds)).toEqual([
      { from: null, to: [org.projectId] },
      { from: [org.projectId], to: null },
      { from: null, to: [] },
    ]);
  });

  it('keeps the limit from developer to viewer and clears it on promotion to admin', async () => {
    const { org: own, people } = await team(['owner', 'developer']);
    const [boss, dev] = people as [Person, Person];
    expect((await boss.client.patch(memberPath(own, dev), { projectIds: [own.testProjectId] })).status).toBe(200);
    const demoted = await boss.client.patch<{ member: MemberView }>(memberPath(own, dev), { role: 'viewer' });
    expect(demoted.body.member).toMatchObject({ role: 'viewer', projectIds: [own.testProjectId] });
    const promoted = await boss.client.patch<{ member: MemberView }>(memberPath(own, dev), { role: 'admin' });
    expect(promoted.status, promoted.text).toBe(200);
    expect(promoted.body.member).toMatchObject({ role: 'admin', projectIds: null });
    const events = await queryRows<{ action: string; diff: Record<string, unknown> }>(
      server.runtime.database.db,
      sql`select action, diff from audit_events where org_id = ${own.orgId} and target_id = ${dev.memberId} and action <> 'member.added' order by occurred_at`,
    );
    expect(events.map((e) => e.action)).toEqual(['member.updated', 'member.role_changed', 'member.role_changed']);
    expect(events[2]!.diff).toEqual({
      role: { from: 'viewer', to: 'admin' },
      projectIds: { from: [own.testProjectId], to: null },
    });
  });
  it('takes a deleted project out of every member’s list, leaving none rather than every project', async () => {
    const { org: own, people } = await team(['owner', 'developer', 'viewer']);
    const [boss, both, onlySandbox] = people as [Person, Person, Person];
    expect((await boss.client.patch(memberPath(own, both), { projectIds: [own.projectId, own.testProjectId] })).status).toBe(200);
    expect((await boss.client.patch(memberPath(own, onlySandbox), { projectIds: [own.testProjectId] })).status).toBe(200);
    const deleted = await boss.client.call('DELETE', `/api/orgs/${own.orgId}/projects/${own.testProjectId}`, { confirm: 'sandbox' });
    expect(deleted.status).toBe(200);

    const listed = await boss.client.get<MemberList>(`/api/orgs/${own.orgId}/members`);
    const accessOf = (person: Person) => listed.body.members.find((m) => m.id === person.memberId)?.projectIds;
    expect(accessOf(both)).toEqual([own.projectId]);
    expect(accessOf(onlySandbox)).toEqual([]);
    expect(accessOf(boss)).toBeNull();
    expect((await onlySandbox.client.get<ProjectList>(`/api/orgs/${own.orgId}/projects`)).body.projects).toEqual([]);
    const [event] = await queryRows<{ diff: Record<string, unknown> }>(
      server.runtime.database.db,
      sql`select diff from audit_events where org_id = ${own.orgId} and action = 'project.deleted'`,
    );
    expect(event!.diff).toMatchObject({ name: 'sandbox', membersNarrowed: 2 });
  });
});
