/** Invitations over real HTTP and SMTP: the mail and its link, accepting (new and signed-in users), single use, expiry, revocation, tenancy, throttling. */
import { openedAuditRows } from './support/audit.js';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { startFakeSmtp, type FakeSmtp } from './fakes/smtp.js';
import { createOrg, type ApiClient, type TestOrg } from './support/api.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { CSRF, createPasswordUser, sessionApiClient, signIn, signedInMember } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';
const NEW_PASSWORD = 'copper-meadow-whistle-4417';

let server: TestServer;
let smtp: FakeSmtp;
let org: TestOrg;
let owner: ApiClient;

beforeAll(async () => {
  smtp = await startFakeSmtp();
  // TRUST_PROXY: a describe block can accept from an address of its own, clear of the others' throttle budget.
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url, TRUST_PROXY: 'loopback' } });
  org = await createOrg(server, 'inv');
  owner = await signedInMember(server, org.orgName, 'owner');
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

type InvitationBody = { invitation: { id: string; email: string; role: string; projectIds: string[] | null; expiresAt: string } };
type MeBody = { memberships: { orgId: string; orgName: string; role: string; projectIds: string[] | null }[] };

async function invite(client: ApiClient, email: string, role = 'developer') {
  const response = await client.post<InvitationBody>(`/api/orgs/${org.orgId}/invitations`, { email, role });
  return response;
}

async function tokenFor(email: string): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to.includes(email));
  const link = mail.links.find((l) => l.startsWith(`${ORIGIN}/invite#token=`));
  expect(link, 'invitation link').toBeDefined();
  return decodeURIComponent(link!.split('#token=')[1]!);
}

function accept(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.apiUrl}/api/invitations/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, ...CSRF, ...headers },
    body: JSON.stringify(body),
  });
}

const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

describe('inviting and accepting', () => {
  it('mails a working single-use link that creates the user and the membership', async () => {
    const email = `${uniqueName('new')}@example.test`;
    const created = await invite(owner, email);
    expect(created.status).toBe(201);
    expect(created.body.invitation).toMatchObject({ email, role: 'developer' });
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect(mail.subject).toContain(org.orgName);
    expect(mail.html).toContain('/invite#token=');
    const token = await tokenFor(email);
    // The token is stored only hashed.
    const stored = await queryRows<{ token_hash: string }>(
      server.runtime.database.db,
      sql`select token_hash from invitations where email = ${email}`,
    );
    expect(stored[0]!.token_hash).not.toContain(token);

    const pending = await owner.get<{ invitations: { id: string }[] }>(`/api/orgs/${org.orgId}/invitations`);
    expect(pending.body.invitations.map((i) => i.id)).toContain(created.body.invitation.id);

    const ok = await accept({ token, name: 'New Person', password: NEW_PASSWORD });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ orgId: org.orgId, role: 'developer', userCreated: true });
    const again = await accept({ token, name: 'New Person', password: NEW_PASSWORD });
    expect(again.status).toBe(410);
    expect((await errorCode(again)).code).toBe('invitation_invalid');

    const signedIn = await signIn(server, email, NEW_PASSWORD, { origin: ORIGIN });
    expect(signedIn.status).toBe(200);
    const me = await sessionApiClient(server, signedIn.cookie!, ORIGIN).get<{ memberships: { orgId: string; role: string }[] }>('/api/me');
    expect(me.body.memberships).toEqual([{ orgId: org.orgId, orgName: org.orgName, role: 'developer', projectIds: null }]);
    const users = await queryRows<{ email_verified: boolean }>(
      server.runtime.database.db,
      sql`select email_verified from users where email = ${email}`,
    );
    expect(users[0]!.email_verified).toBe(true);
    // The address is sealed at rest (src/audit/personal-data.ts): opened as a reader sees it.
    const opened = await openedAuditRows(
      server.runtime.database.db,
      server.runtime.apiDb,
      sql`action in ('invitation.created', 'invitation.accepted', 'member.added', 'user.created')`,
    );
    // Before the invitee has an account there is no key to seal under: a keyed hash stands in.
    const actions = opened.filter(
      (row) => row.diff?.email === email || (row.action === 'invitation.created' && row.target_id === created.body.invitation.id),
    );
    expect(opened.find((row) => row.action === 'invitation.created' && row.target_id === created.body.invitation.id)?.diff?.email).toMatch(
      /^h1:[0-9a-f]{64}$/,
    );
    expect(await queryRows(server.runtime.database.db, sql`select 1 from audit_events where diff::text like ${'%' + email + '%'}`)).toEqual(
      [],
    );
    expect(new Set(actions.map((a) => a.action))).toEqual(
      new Set(['invitation.created', 'invitation.accepted', 'member.added', 'user.created']),
    );
    const listed = await owner.get<{ invitations: { id: string }[] }>(`/api/orgs/${org.orgId}/invitations`);
    expect(listed.body.invitations.map((i) => i.id)).not.toContain(created.body.invitation.id);
  });

  it('answers an expired, revoked or unknown link alike with 410', async () => {
    const expiredEmail = `${uniqueName('exp')}@example.test`;
    await invite(owner, expiredEmail, 'viewer');
    const expiredToken = await tokenFor(expiredEmail);
    await server.runtime.database.db.execute(
      sql`update invitations set expires_at = now() - interval '1 second' where email = ${expiredEmail}`,
    );
    const revokedEmail = `${uniqueName('rev')}@example.test`;
    const revoked = await invite(owner, revokedEmail, 'viewer');
    const revokedToken = await tokenFor(revokedEmail);
    expect((await owner.delete(`/api/orgs/${org.orgId}/invitations/${revoked.body.invitation.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/orgs/${org.orgId}/invitations/${revoked.body.invitation.id}`)).status).toBe(404);
    const messages = [];
    for (const token of [expiredToken, revokedToken, 'no-such-token']) {
      const response = await accept({ token, name: 'X', password: NEW_PASSWORD });
      expect(response.status).toBe(410);
      messages.push(await errorCode(response));
    }
    expect(new Set(messages.map((m) => JSON.stringify(m))).size).toBe(1);
  });

  it('refuses a weak password and keeps the invitation usable', async () => {
    const email = `${uniqueName('weak')}@example.test`;
    await invite(owner, email, 'viewer');
    const token = await tokenFor(email);
    const weak = await accept({ token, name: 'Weak', password: 'password1234567890' });
    expect(weak.status).toBe(400);
    expect((await errorCode(weak)).code).toMatch(/^password_/);
    expect((await accept({ token, name: 'Weak', password: NEW_PASSWORD })).status).toBe(201);
  });

  it('adds a signed-in user whose email matches, and refuses another address', async () => {
    const other = await createOrg(server, 'inv-other');
    const user = await createPasswordUser(server, { org: { name: other.orgName, role: 'viewer' } });
    const stranger = await createPasswordUser(server);
    await invite(owner, user.email, 'viewer');
    const token = await tokenFor(user.email);
    const strangerSession = await signIn(server, stranger.email, stranger.password, { origin: ORIGIN });
    const mismatch = await accept({ token }, { cookie: strangerSession.cookie! });
    expect(mismatch.status).toBe(403);
    const session = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const ok = await accept({ token }, { cookie: session.cookie! });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ orgId: org.orgId, role: 'viewer', userCreated: false });
  });

  it('requires the CSRF header and the dashboard origin', async () => {
    expect((await accept({ token: 'x', name: 'X', password: NEW_PASSWORD }, { 'x-portcullis-csrf': '' })).status).toBe(403);
    expect((await accept({ token: 'x', name: 'X', password: NEW_PASSWORD }, { origin: 'https://evil.example.test' })).status).toBe(403);
  });
});

describe('inviting with project access', () => {
  const fromElsewhere = { 'x-forwarded-for': '203.0.113.41' };
  /** Accepts as a new user and answers what the new member's own session sees. */
  async function acceptAsNewUser(email: string): Promise<{ me: MeBody; projects: string[] }> {
    const token = await tokenFor(email);
    expect((await accept({ token, name: 'Limited Person', password: NEW_PASSWORD }, fromElsewhere)).status).toBe(201);
    const signedIn = await signIn(server, email, NEW_PASSWORD, { origin: ORIGIN });
    const session = sessionApiClient(server, signedIn.cookie!, ORIGIN);
    const me = await session.get<MeBody>('/api/me');
    const projects = await session.get<{ projects: { id: string }[] }>(`/api/orgs/${org.orgId}/projects`);
    return { me: me.body, projects: projects.body.projects.map((p) => p.id) };
  }

  it('limits the new member to the listed projects from their first request', async () => {
    const email = `${uniqueName('lim')}@example.test`;
    const created = await owner.post<InvitationBody>(`/api/orgs/${org.orgId}/invitations`, {
      email,
      role: 'developer',
      projectIds: [org.projectId.toUpperCase(), org.projectId],
    });
    expect(created.status).toBe(201);
    expect(created.body.invitation.projectIds).toEqual([org.projectId]);
    const pending = await owner.get<{ invitations: { id: string; projectIds: string[] | null }[] }>(`/api/orgs/${org.orgId}/invitations`);
    expect(pending.body.invitations.find((i) => i.id === created.body.invitation.id)?.projectIds).toEqual([org.projectId]);
    const review = await owner.get<{ pendingInvitations: { email: string; projectAccess: unknown }[] }>(
      `/api/orgs/${org.orgId}/access-review`,
    );
    expect(review.body.pendingInvitations.find((i) => i.email === email)?.projectAccess).toEqual([{ id: org.projectId, name: 'app' }]);

    const { me, projects } = await acceptAsNewUser(email);
    expect(me.memberships).toEqual([{ orgId: org.orgId, orgName: org.orgName, role: 'developer', projectIds: [org.projectId] }]);
    expect(projects).toEqual([org.projectId]);
    const added = await queryRows<{ diff: { projectIds?: string[] } }>(
      server.runtime.database.db,
      sql`select diff from audit_events where action = 'member.added' and org_id = ${org.orgId} order by seq desc limit 1`,
    );
    expect(added[0]!.diff.projectIds).toEqual([org.projectId]);
  });

  it('never widens the list: projects deleted before acceptance leave the member with none, not every project', async () => {
    const limitedOrg = await createOrg(server, 'inv-del');
    const limitedOwner = await signedInMember(server, limitedOrg.orgName, 'owner');
    const email = `${uniqueName('gone')}@example.test`;
    const created = await limitedOwner.post<InvitationBody>(`/api/orgs/${limitedOrg.orgId}/invitations`, {
      email,
      role: 'viewer',
      projectIds: [limitedOrg.testProjectId],
    });
    expect(created.status).toBe(201);
    const deleted = await limitedOwner.call('DELETE', `/api/orgs/${limitedOrg.orgId}/projects/${limitedOrg.testProjectId}`, {
      confirm: 'sandbox',
    });
    expect(deleted.status).toBe(200);
    // The deletion takes the project out of the pending invitation's list at once.
    const pending = await limitedOwner.get<{ invitations: { id: string; projectIds: string[] | null }[] }>(
      `/api/orgs/${limitedOrg.orgId}/invitations`,
    );
    expect(pending.body.invitations.find((i) => i.id === created.body.invitation.id)?.projectIds).toEqual([]);
    const token = await tokenFor(email);
    expect((await accept({ token, name: 'Gone Person', password: NEW_PASSWORD }, fromElsewhere)).status).toBe(201);
    const signedIn = await signIn(server, email, NEW_PASSWORD, { origin: ORIGIN });
    const session = sessionApiClient(server, signedIn.cookie!, ORIGIN);
    expect((await session.get<MeBody>('/api/me')).body.memberships[0]?.projectIds).toEqual([]);
    expect((await session.get<{ projects: unknown[] }>(`/api/orgs/${limitedOrg.orgId}/projects`)).body.projects).toEqual([]);
  });

  it('refuses a list for admins and owners, and ids that are not projects of this org, creating nothing', async () => {
    const other = await createOrg(server, 'inv-p');
    const email = `${uniqueName('bad')}@example.test`;
    const forAdmin = await owner.post(`/api/orgs/${org.orgId}/invitations`, { email, role: 'admin', projectIds: [org.projectId] });
    expect(forAdmin.status).toBe(400);
    expect(forAdmin.error?.code).toBe('project_access_role');
    const foreign = await owner.post(`/api/orgs/${org.orgId}/invitations`, { email, role: 'viewer', projectIds: [other.projectId] });
    expect(foreign.status).toBe(404);
    expect(foreign.error?.code).toBe('project_not_found');
    const malformed = await owner.post(`/api/orgs/${org.orgId}/invitations`, { email, role: 'viewer', projectIds: ['app'] });
    expect(malformed.status).toBe(400);
    expect(await queryRows(server.runtime.database.db, sql`select id from invitations where email = ${email}`)).toEqual([]);
    // An admin invitation with null is every project, as without the field.
    const admin = await owner.post<InvitationBody>(`/api/orgs/${org.orgId}/invitations`, { email, role: 'admin', projectIds: null });
    expect(admin.status).toBe(201);
    expect(admin.body.invitation.projectIds).toBeNull();
  });
});

describe('rules and tenancy', () => {
  it('lets an admin invite up to admin only, and hides other orgs’ invitations (404)', async () => {
    const admin = await signedInMember(server, org.orgName, 'admin');
    const tooHigh = await invite(admin, `${uniqueName('own')}@example.test`, 'owner');
    expect(tooHigh.status).toBe(403);
    expect(tooHigh.error?.code).toBe('role_too_high');
    expect((await invite(admin, `${uniqueName('adm')}@example.test`, 'admin')).status).toBe(201);
    const developer = await signedInMember(server, org.orgName, 'developer');
    expect((await invite(developer, `${uniqueName('dev')}@example.test`, 'viewer')).status).toBe(403);

    const other = await createOrg(server, 'inv-b');
    const otherOwner = await signedInMember(server, other.orgName, 'owner');
    const theirs = await otherOwner.post<InvitationBody>(`/api/orgs/${other.orgId}/invitations`, {
      email: `${uniqueName('b')}@example.test`,
      role: 'viewer',
    });
    expect(theirs.status).toBe(201);
    expect((await owner.delete(`/api/orgs/${org.orgId}/invitations/${theirs.body.invitation.id}`)).status).toBe(404);
    expect((await owner.delete(`/api/orgs/${other.orgId}/invitations/${theirs.body.invitation.id}`)).status).toBe(404);
    const pending = await otherOwner.get<{ invitations: { id: string }[] }>(`/api/orgs/${other.orgId}/invitations`);
    expect(pending.body.invitations.map((i) => i.id)).toContain(theirs.body.invitation.id);
  });

  it('limits how many invitations one inviter sends (50 an hour), without holding back other inviters', async () => {
    const sender = await signedInMember(server, org.orgName, 'admin');
    const statuses: number[] = [];
    for (let i = 0; i < 52; i++) statuses.push((await invite(sender, `${uniqueName(`bulk${i}`)}@example.test`, 'viewer')).status);
    expect(statuses.slice(0, 50).every((status) => status === 201)).toBe(true);
    expect(statuses.slice(50)).toEqual([429, 429]);
    const colleague = await signedInMember(server, org.orgName, 'admin');
    expect((await invite(colleague, `${uniqueName('next')}@example.test`, 'viewer')).status).toBe(201);
  });

  it('answers 503 email_not_configured in production without SMTP, creating no invitation', async () => {
    const production = await startTestServer({
      services: ['api'],
      env: { NODE_ENV: 'production', PUBLIC_URL: ORIGIN, TRUST_PROXY: 'loopback' },
    });
    try {
      const prodOrg = await createOrg(production, 'inv-prod');
      const prodOwner = await signedInMember(production, prodOrg.orgName, 'owner');
      const refused = await prodOwner.post(`/api/orgs/${prodOrg.orgId}/invitations`, {
        email: `${uniqueName('p')}@example.test`,
        role: 'viewer',
      });
      expect(refused.status).toBe(503);
      expect(refused.error?.code).toBe('email_not_configured');
      const rows = await queryRows(production.runtime.database.db, sql`select id from invitations where org_id = ${prodOrg.orgId}`);
      expect(rows).toEqual([]);
    } finally {
      await production.stop();
    }
  });

  it('throttles accepting per address with 429', async () => {
    let last = 0;
    for (let i = 0; i < 12 && last !== 429; i++) last = (await accept({ token: `guess-${i}`, name: 'X', password: NEW_PASSWORD })).status;
    expect(last).toBe(429);
  });
});
