/** Members api over real HTTP: list, role changes and removal, with the owner rules, leaving, sessions ending and audit. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/auth/permissions.js';
import { queryRows } from '../src/db/rows.js';
import { createOrg, type ApiClient, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
}, 60_000);
afterAll(async () => server?.stop());

type Person = { client: ApiClient; userId: string; memberId: string };
type MemberList = { members: { id: string; userId: string; email: string; role: Role }[] };

async function team(roles: Role[]): Promise<{ org: TestOrg; people: Person[] }> {
  const org = await createOrg(server, 'mem');
  const users = [];
  for (const role of roles) users.push(await createPasswordUser(server, { org: { name: org.orgName, role } }));
  // The org's bootstrap owner has no password: demote them so the test owners are the only ones.
  await server.runtime.database.db.execute(sql`delete from members where org_id = ${org.orgId} and id = ${org.memberId}`);
  const people: Person[] = [];
  for (const user of users) {
    const session = await signIn(server, user.email, user.password, { origin: ORIGIN });
    people.push({ client: sessionApiClient(server, session.cookie!, ORIGIN), userId: user.id, memberId: '' });
  }
  const list = await people[0]!.client.get<MemberList>(`/api/orgs/${org.orgId}/members`);
  for (const person of people) person.memberId = list.body.members.find((m) => m.userId === person.userId)!.id;
  return { org, people };
}

describe('members', () => {
  it('lists members for developers and up, not viewers', async () => {
    const { org, people } = await team(['owner', 'developer', 'viewer']);
    const list = await people[1]!.client.get<MemberList>(`/api/orgs/${org.orgId}/members`);
    expect(list.status).toBe(200);
    expect(list.body.members.map((m) => m.role).sort()).toEqual(['developer', 'owner', 'viewer']);
    expect((await people[2]!.client.get(`/api/orgs/${org.orgId}/members`)).status).toBe(403);
  });

  it('keeps owners to owners and the last owner in place', async () => {
    const { org, people } = await team(['owner', 'admin', 'developer']);
    const [owner, admin, dev] = people as [Person, Person, Person];
    const path = (p: Person) => `/api/orgs/${org.orgId}/members/${p.memberId}`;
    expect((await admin.client.patch(path(owner), { role: 'viewer' })).error?.code).toBe('owner_required');
    expect((await admin.client.patch(path(dev), { role: 'owner' })).error?.code).toBe('owner_required');
    expect((await admin.client.delete(path(owner))).status).toBe(403);
    const demoteSelf = await owner.client.patch(path(owner), { role: 'admin' });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.error?.code).toBe('last_owner');
    const leave = await owner.client.delete(path(owner));
    expect(leave.status).toBe(409);
    expect(leave.error?.code).toBe('last_owner');
    expect((await dev.client.delete(path(admin))).status).toBe(403);

    // An admin changes a developer's role: their sessions end.
    const changed = await admin.client.patch<{ member: { role: Role } }>(path(dev), { role: 'viewer' });
    expect(changed.status).toBe(200);
    expect(changed.body.member.role).toBe('viewer');
    expect((await dev.client.get('/api/me')).status).toBe(401);

    // With a second owner, the first may step down or leave.
    expect((await owner.client.patch(path(admin), { role: 'owner' })).status).toBe(200);
    expect((await admin.client.get('/api/me')).status).toBe(401); // the promoted admin signs in again
    expect((await owner.client.delete(path(owner))).status).toBe(204);
    const events = await queryRows<{ action: string }>(
      server.runtime.database.db,
      sql`select action from audit_events where org_id = ${org.orgId} and action in ('member.role_changed', 'member.removed')`,
    );
    expect(events.map((e) => e.action).sort()).toEqual(['member.removed', 'member.role_changed', 'member.role_changed']);
  });

  it('lets any member leave, ending their sessions, and hides other orgs’ members (404)', async () => {
    const { org, people } = await team(['owner', 'viewer']);
    const [owner, viewer] = people as [Person, Person];
    expect((await viewer.client.delete(`/api/orgs/${org.orgId}/members/${viewer.memberId}`)).status).toBe(204);
    expect((await viewer.client.get('/api/me')).status).toBe(401);
    const other = await team(['owner']);
    expect((await owner.client.delete(`/api/orgs/${org.orgId}/members/${other.people[0]!.memberId}`)).status).toBe(404);
    expect((await owner.client.patch(`/api/orgs/${org.orgId}/members/${other.people[0]!.memberId}`, { role: 'viewer' })).status).toBe(404);
    expect((await owner.client.get(`/api/orgs/${other.org.orgId}/members`)).status).toBe(404);
  });
});
