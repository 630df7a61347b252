/** The access review over real HTTP: who can reach the org, how, and who has gone inactive; JSON and CSV, audited. */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { createInvitation } from '../src/tenancy/invitations.js';
import { apiClient, createOrg, eventually, mintToken, operatorCtx, type ApiClient, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';
const FORMULA_NAME = '=HYPERLINK("x")';

type Review = {
  generatedAt: string;
  inactiveDays: number;
  members: {
    userId: string;
    name: string;
    email: string;
    role: string;
    projectAccess: 'all' | { id: string; name: string }[];
    twoFactor: boolean;
    passkeys: number;
    joinedAt: string;
    lastSignInAt: string | null;
    lastActivityAt: string | null;
    inactive: boolean;
  }[];
  adminTokens: { id: string; name: string; role: string; revokedAt: string | null; lastUsedAt: string | null; inactive: boolean }[];
  pendingInvitations: { email: string; role: string; projectAccess: unknown; invitedAt: string; expiresAt: string }[];
};

let server: TestServer;
let org: TestOrg;
let admin: ApiClient;
let adminTokenName: string;
type Person = { id: string; email: string; password: string };
const people = {} as Record<'owner' | 'dev' | 'stale' | 'ghost', Person>;
const path = () => `/api/orgs/${org.orgId}/access-review`;
const owner = () => server.runtime.database.db;

const daysAgo = (days: number) => sql`now() - make_interval(days => ${days})`;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
  org = await createOrg(server, 'review');
  adminTokenName = `auditor-${randomUUID().slice(0, 8)}`;
  admin = apiClient(server, await mintToken(server, org, 'admin', adminTokenName));
  for (const [key, role] of [
    ['owner', 'owner'],
    ['dev', 'developer'],
    ['stale', 'viewer'],
    ['ghost', 'developer'],
  ] as const)
    people[key] = await createPasswordUser(server, { org: { name: org.orgName, role } });

  // The owner signs in and changes something: a recent sign-in and recent activity.
  const session = await signIn(server, people.owner.email, people.owner.password, { origin: ORIGIN });
  expect(session.cookie).toBeDefined();
  const ownerClient = sessionApiClient(server, session.cookie!, ORIGIN);
  expect((await ownerClient.post(`/api/orgs/${org.orgId}/projects`, { name: 'reviewed' })).status).toBe(201);

  // The developer is limited to `app` and named like a spreadsheet formula.
  const list = await admin.get<{ members: { id: string; userId: string }[] }>(`/api/orgs/${org.orgId}/members`);
  const devMember = list.body.members.find((m) => m.userId === people.dev.id)!;
  expect((await admin.patch(`/api/orgs/${org.orgId}/members/${devMember.id}`, { projectIds: [org.projectId] })).status).toBe(200);
  await owner().execute(sql`update users set name = ${FORMULA_NAME} where id = ${people.dev.id}`);

  // `stale` joined long ago, last signed in 120 days ago and last acted 100 days ago.
  await owner().execute(sql`update members set created_at = ${daysAgo(200)} where user_id = ${people.stale.id}`);
  await owner().execute(
    sql`insert into sessions (id, expires_at, token, user_id, created_at, updated_at)
        values (${randomUUID()}, now() + interval '1 day', ${randomUUID()}, ${people.stale.id}, ${daysAgo(120)}, ${daysAgo(120)})`,
  );
  await owner().execute(
    sql`insert into audit_events (org_id, occurred_at, actor_type, actor_id, action, outcome)
        values (${org.orgId}, ${daysAgo(100)}, 'user', ${people.stale.id}, 'project.updated', 'success')`,
  );
  // `ghost` joined 100 days ago and never did anything.
  await owner().execute(sql`update members set created_at = ${daysAgo(100)} where user_id = ${people.ghost.id}`);

  // Tokens: one unused for 200 days, one as old but revoked (it grants nothing, so it is not flagged).
  for (const name of ['stale-token', 'revoked-token']) await mintToken(server, org, 'developer', `${name}-${org.orgId.slice(0, 8)}`);
  await owner().execute(
    sql`update admin_tokens set created_at = ${daysAgo(200)} where org_id = ${org.orgId} and name like 'stale-token-%'`,
  );
  await owner().execute(
    sql`update admin_tokens set created_at = ${daysAgo(200)}, revoked_at = now() where org_id = ${org.orgId} and name like 'revoked-token-%'`,
  );

  await server.runtime.apiDb.withTenant(org.orgId, (tx) =>
    createInvitation(
      tx,
      { orgId: org.orgId, email: 'invitee@example.test', role: 'viewer', invitedBy: null, projectIds: [org.projectId] },
      operatorCtx,
    ),
  );
}, 60_000);
afterAll(async () => server?.stop());

const memberOf = (review: Review, userId: string) => review.members.find((m) => m.userId === userId)!;

describe('GET /api/orgs/:orgId/access-review', () => {
  it('lists every member with role, project access, second factors, sign-in and activity, and flags the inactive', async () => {
    const response = await admin.get<Review>(path());
    expect(response.status).toBe(200);
    const review = response.body;
    expect(review.inactiveDays).toBe(90);
    expect(Date.parse(review.generatedAt)).not.toBeNaN();
    // The bootstrap owner, and the four users.
    expect(review.members).toHaveLength(5);

    const ownerRow = memberOf(review, people.owner.id);
    expect(ownerRow).toMatchObject({ role: 'owner', projectAccess: 'all', twoFactor: false, passkeys: 0, inactive: false });
    expect(ownerRow.email).toBe(people.owner.email);
    expect(Date.now() - Date.parse(ownerRow.lastSignInAt!)).toBeLessThan(60_000);
    expect(Date.now() - Date.parse(ownerRow.lastActivityAt!)).toBeLessThan(60_000);

    const dev = memberOf(review, people.dev.id);
    expect(dev).toMatchObject({ role: 'developer', name: FORMULA_NAME, projectAccess: [{ id: org.projectId, name: 'app' }] });
    // Never signed in, but joined within the window.
    expect(dev).toMatchObject({ lastSignInAt: null, lastActivityAt: null, inactive: false });

    const stale = memberOf(review, people.stale.id);
    expect(stale).toMatchObject({ role: 'viewer', inactive: true });
    expect(Math.round((Date.now() - Date.parse(stale.lastSignInAt!)) / 86_400_000)).toBe(120);
    expect(Math.round((Date.now() - Date.parse(stale.lastActivityAt!)) / 86_400_000)).toBe(100);
    expect(memberOf(review, people.ghost.id)).toMatchObject({ lastSignInAt: null, lastActivityAt: null, inactive: true });

    // A wider window: the last activity 100 days ago is within 365 days; the ghost joined within it.
    const wide = (await admin.get<Review>(`${path()}?inactiveDays=365`)).body;
    expect(memberOf(wide, people.stale.id).inactive).toBe(false);
    expect(memberOf(wide, people.ghost.id).inactive).toBe(false);

    expect(review.pendingInvitations).toEqual([
      {
        email: 'invitee@example.test',
        role: 'viewer',
        projectAccess: [{ id: org.projectId, name: 'app' }],
        invitedAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
  });

  it('lists admin tokens with their last use, flagging only live ones gone unused', async () => {
    const review = await eventually(async () => {
      const body = (await admin.get<Review>(path())).body;
      return body.adminTokens.find((t) => t.name === adminTokenName)?.lastUsedAt ? body : undefined;
    });
    const byPrefix = (prefix: string) => review.adminTokens.find((t) => t.name.startsWith(prefix))!;
    expect(byPrefix(adminTokenName)).toMatchObject({ role: 'admin', inactive: false, revokedAt: null });
    expect(byPrefix('stale-token-')).toMatchObject({ role: 'developer', lastUsedAt: null, inactive: true });
    expect(byPrefix('revoked-token-')).toMatchObject({ inactive: false });
    expect(byPrefix('revoked-token-').revokedAt).not.toBeNull();
  });

  it('never shows another org’s members, tokens or invitations', async () => {
    const other = await createOrg(server, 'review-other');
    const outsider = await createPasswordUser(server, { org: { name: other.orgName, role: 'admin' } });
    await mintToken(server, other, 'admin', 'outsider-token');
    const review = (await admin.get<Review>(path())).body;
    expect(review.members.map((m) => m.userId)).not.toContain(outsider.id);
    expect(review.members.map((m) => m.email)).not.toContain(`owner@${other.orgName}.test`);
    expect(review.adminTokens.map((t) => t.name)).not.toContain('outsider-token');
    // And the other org's admin sees only theirs.
    const otherAdmin = apiClient(server, await mintToken(server, other, 'admin'));
    const theirs = (await otherAdmin.get<Review>(`/api/orgs/${other.orgId}/access-review`)).body;
    expect(theirs.members.map((m) => m.userId)).not.toContain(people.owner.id);
    expect((await otherAdmin.get(path())).status).toBe(404);
  });

  it('is for owners and admins, and refuses a bad window or unknown parameters', async () => {
    for (const role of ['developer', 'viewer'] as const) {
      const client = apiClient(server, await mintToken(server, org, role));
      expect((await client.get(path())).status).toBe(403);
      expect((await client.get(`${path()}/export?format=csv`)).status).toBe(403);
    }
    for (const query of ['inactiveDays=0', 'inactiveDays=3651', 'inactiveDays=abc', 'inactiveDays=1.5', 'inactive=30', 'format=csv']) {
      const response = await admin.get(`${path()}?${query}`);
      expect(response.status, query).toBe(400);
    }
    expect((await admin.get(`${path()}/export`)).status).toBe(400);
    expect((await admin.get(`${path()}/export?format=xlsx`)).status).toBe(400);
    expect((await admin.get(`${path()}?inactiveDays=3650`)).status).toBe(200);
    expect((await admin.get(`${path()}?inactiveDays=1`)).status).toBe(200);
  });
});

describe('GET /api/orgs/:orgId/access-review/export?format=csv', () => {
  it('is one CSV with a kind column, and neutralises a name that would run as a formula', async () => {
    const response = await admin.get(`${path()}/export?format=csv&inactiveDays=90`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="access-review-[0-9a-f-]+-\d{8}T\d{6}Z\.csv"$/);
    const lines = response.text.split('\r\n');
    expect(lines[0]).toBe(
      'kind,id,name,email,role,project_access,two_factor,passkeys,created_at,expires_at,revoked_at,last_sign_in_at,last_activity_at,inactive',
    );
    expect(lines.at(-1)).toBe('');
    const kinds = lines.slice(1, -1).map((line) => line.split(',', 1)[0]);
    expect(kinds.filter((k) => k === 'member')).toHaveLength(5);
    expect(kinds).toContain('admin_token');
    expect(kinds.filter((k) => k === 'invitation')).toHaveLength(1);
    expect(lines.find((line) => line.startsWith('invitation,'))).toContain(`,invitee@example.test,viewer,app (${org.projectId}),`);
    const dev = lines.find((line) => line.startsWith(`member,${people.dev.id},`))!;
    expect(dev).toContain(`,"'=HYPERLINK(""x"")",${people.dev.email},developer,app (${org.projectId}),no,0,`);
    expect(response.text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(lines.find((line) => line.startsWith(`member,${people.stale.id},`))).toMatch(/,yes$/);
  });
});

describe('auditing', () => {
  const generated = () =>
    queryRows<{ actor_type: string; actor_id: string; diff: Record<string, unknown> }>(
      owner(),
      sql`select actor_type, actor_id, diff from audit_events where org_id = ${org.orgId} and action = 'access_review.generated' order by seq`,
    );

  it('records each report once, in the org’s chain, with counts and never contents; a refused request records none', async () => {
    const before = (await generated()).length;
    expect((await admin.get(`${path()}?inactiveDays=30`)).status).toBe(200);
    const after = await generated();
    expect(after).toHaveLength(before + 1);
    const event = after.at(-1)!;
    expect(event.actor_type).toBe('token');
    expect(event.diff).toMatchObject({ format: 'json', inactiveDays: 30, members: 5, pendingInvitations: 1 });
    expect(JSON.stringify(event.diff)).not.toContain(people.owner.email);

    expect((await admin.get(`${path()}/export?format=csv`)).status).toBe(200);
    expect((await generated()).at(-1)!.diff).toMatchObject({ format: 'csv', inactiveDays: 90 });
    expect(await generated()).toHaveLength(before + 2);

    const viewer = apiClient(server, await mintToken(server, org, 'viewer'));
    await viewer.get(path());
    await admin.get(`${path()}?inactiveDays=0`);
    expect(await generated()).toHaveLength(before + 2);
  });
});
