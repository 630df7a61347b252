/**
 * The members page in Chromium, under the dashboard's CSP, with real mail through the fake SMTP
 * server: an owner invites someone (the mail arrives with its link, the invitation is listed as
 * pending with its expiry) and revokes the invitation; changes a member's role and project access
 * (and the api reports the same); removes a member after a confirmation naming them. An admin who
 * tries to change an owner sees the api's owner_required refusal in words. A viewer sees no links to
 * the admin pages, no write control in the org settings, and the refusal in words when opening the
 * admin tokens, the audit log and /admin directly; the api answers 403 to the same calls.
 */
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.js';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';
import { createOrg, type TestOrg } from '../support/api.js';
import { uniqueName } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from '../support/sessions.js';
import { launchBrowser } from './support/browser.js';
import {
  assertDashboardBuilt,
  createPageWatcher,
  makeInstanceAdmin,
  openClipboardPage,
  startDashboardServer,
  submitPasswordSignIn,
} from './support/dashboard.js';
import { reviewPage, saveScreenshot } from './support/page-review.js';

type User = { id: string; email: string; password: string };

let server: TestServer;
let smtp: FakeSmtp;
let browser: Browser;
let origin: string;
let org: TestOrg;
let owner: User;
let admin: User;
let developer: User;
let leaver: User;
let viewer: User;
const contexts: BrowserContext[] = [];
const pageWatcher = createPageWatcher();

beforeAll(async () => {
  assertDashboardBuilt();
  smtp = await startFakeSmtp();
  ({ server, origin } = await startDashboardServer(['api'], { SMTP_URL: smtp.url }));
  org = await createOrg(server, 'members');
  const inOrg = (role: 'owner' | 'admin' | 'developer' | 'viewer') => ({ org: { name: org.orgName, role } });
  owner = await createPasswordUser(server, { email: `${uniqueName('owner')}@example.test`, ...inOrg('owner') });
  admin = await createPasswordUser(server, { email: `${uniqueName('admin')}@example.test`, ...inOrg('admin') });
  developer = await createPasswordUser(server, { email: `${uniqueName('dev')}@example.test`, ...inOrg('developer') });
  leaver = await createPasswordUser(server, { email: `${uniqueName('leaver')}@example.test`, ...inOrg('developer') });
  viewer = await createPasswordUser(server, { email: `${uniqueName('viewer')}@example.test`, ...inOrg('viewer') });
  await makeInstanceAdmin(server, owner.id);
  browser = await launchBrowser();
  // A fresh isolated database and a browser: slow when the machine is shared with other test runs.
}, 180_000);

afterAll(async () => {
  try {
    // Refusals caused on purpose: /api/me before each sign-in, the admin's change of an owner, and the viewer's direct visits.
    const expected = new Set([
      '401 GET /api/me',
      `403 PATCH /api/orgs/${org?.orgId}/members/${org?.memberId}`,
      `403 GET /api/orgs/${org?.orgId}/admin-tokens`,
      `403 GET /api/orgs/${org?.orgId}/audit/events`,
      `403 GET /api/orgs/${org?.orgId}/audit/head`,
      // The audit log page names actors by email from the member list (members:read), refused to a viewer too.
      `403 GET /api/orgs/${org?.orgId}/members`,
      '403 GET /api/instance/settings',
      // A viewer's overview: spend figures need usage:read (developer and up).
      `403 GET /api/orgs/${org?.orgId}/usage`,
      `403 GET /api/orgs/${org?.orgId}/usage/timeseries`,
    ]);
    pageWatcher.expectClean(expected);
  } finally {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  }
});

/** A fresh browser context signed in as `user` on the org's overview. */
async function signedInPage(user: User): Promise<Page> {
  const { context, page } = await openClipboardPage(browser, origin);
  contexts.push(context);
  await pageWatcher.watch(page);
  await page.goto(`${origin}/login`);
  await submitPasswordSignIn(page, user.email, user.password);
  await page.waitForURL(`${origin}/orgs/${org.orgId}`);
  return page;
}

/** The same user's api calls from Node, with a session of their own (cookie, origin, anti-CSRF header). */
async function apiAs(user: User) {
  const signedIn = await signIn(server, user.email, user.password, { origin });
  expect(signedIn.status).toBe(200);
  return sessionApiClient(server, signedIn.cookie!, origin);
}

async function membership(userId: string): Promise<{ role: string; project_ids: string[] | null } | undefined> {
  const rows = await queryRows<{ role: string; project_ids: string[] | null }>(
    server.runtime.database.db,
    sql`select role, project_ids from members where user_id = ${userId} and org_id = ${org.orgId}`,
  );
  return rows[0];
}

async function auditActions(action: string): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    server.runtime.database.db,
    sql`select count(*)::int as n from audit_events where org_id = ${org.orgId} and action = ${action}`,
  );
  return rows[0]?.n ?? 0;
}

const memberRow = (page: Page, email: string) => page.locator(`tbody tr[data-member-email="${email}"]`);

describe('members page as an owner', () => {
  let page: Page;

  it('lists the members with controls, and is accessible', async () => {
    page = await signedInPage(owner);
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Members' }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}/members`);
    await memberRow(page, developer.email).waitFor();
    expect(await page.locator('tbody tr[data-member-email]').count()).toBe(6); // the bootstrap owner and five users
    await page.getByText('No invitation is waiting for an answer.').waitFor();
    expect(await memberRow(page, owner.email).getByRole('button', { name: 'Leave the organization' }).count()).toBe(1);
    await reviewPage(page, 'members-manage');
  });

  it('invites someone limited to one project: the mail carries the link, the invitation is pending with its expiry and projects, then revoked after a confirmation', async () => {
    const email = `${uniqueName('invitee')}@example.test`;
    await page.getByRole('button', { name: 'Invite member' }).click();
    const dialog = page.getByRole('dialog');
    // Only roles up to the owner's own; the dialog refuses an empty address in words before any request.
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    expect(await dialog.getByRole('alert').textContent()).toBe('Enter the email address to send the invitation to.');
    await dialog.getByLabel('Email').fill(email);
    // An admin reaches every project: no project choice is offered for that role.
    await dialog.getByLabel('Role').selectOption('admin');
    expect(await dialog.getByLabel('Only the projects chosen below').count()).toBe(0);
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByLabel('Only the projects chosen below').check();
    await dialog.getByLabel('app', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByRole('status').filter({ hasText: 'Invitation sent' }).textContent()).toContain(email);

    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect(mail.links.some((link) => link.startsWith(`${origin}/invite#token=`))).toBe(true);

    const invitation = page.locator(`tbody tr[data-invitation-email="${email}"]`);
    await invitation.waitFor();
    expect(await invitation.locator('td[data-label="Role"]').textContent()).toBe('viewer');
    expect(await invitation.locator('td[data-label="Projects"]').textContent()).toBe('1 project(s)');
    const sent = await (
      await apiAs(owner)
    ).get<{ invitations: { email: string; projectIds: string[] | null }[] }>(`/api/orgs/${org.orgId}/invitations`);
    expect(sent.body.invitations.find((i) => i.email === email)?.projectIds).toEqual([org.projectId]);
    const expires = new Date(Date.now() + 7 * 24 * 3600 * 1000).toLocaleDateString(undefined, { dateStyle: 'medium' });
    expect(await invitation.locator('td[data-label="Expires"]').textContent()).toContain(expires);
    // The link itself is nowhere in the page: the api keeps only its hash.
    const token = mail.links.find((link) => link.includes('#token='))!.split('#token=')[1]!;
    expect(await page.content()).not.toContain(token);

    await invitation.getByRole('button', { name: `Revoke the invitation of ${email}` }).click();
    expect(await dialog.getByRole('heading').textContent()).toBe(`Revoke the invitation of ${email}?`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await invitation.getByRole('button', { name: `Revoke the invitation of ${email}` }).click();
    await dialog.getByRole('button', { name: 'Revoke invitation' }).click();
    await dialog.waitFor({ state: 'detached' });
    await invitation.waitFor({ state: 'detached' });
    const pending = await (await apiAs(owner)).get<{ invitations: { email: string }[] }>(`/api/orgs/${org.orgId}/invitations`);
    expect(pending.body.invitations.map((i) => i.email)).not.toContain(email);
    expect(await auditActions('invitation.revoked')).toBe(1);
  });

  it('changes a developer to a viewer limited to one project; the api shows the same', async () => {
    await memberRow(page, developer.email)
      .getByRole('button', { name: `Change ${developer.email}` })
      .click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByText('signs', { exact: false }).first().textContent()).toContain('out of every session');
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByLabel('Only the projects chosen below').check();
    await dialog.getByLabel('app', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => memberRow(page, developer.email).locator('td[data-label="Role"]').textContent()).toBe('viewer');
    expect(await memberRow(page, developer.email).locator('td[data-label="Projects"]').textContent()).toBe('1 project(s)');
    expect(await membership(developer.id)).toEqual({ role: 'viewer', project_ids: [org.projectId] });
    const listed = await (
      await apiAs(owner)
    ).get<{ members: { email: string; role: string; projectIds: string[] | null }[] }>(`/api/orgs/${org.orgId}/members`);
    expect(listed.body.members.find((m) => m.email === developer.email)).toMatchObject({ role: 'viewer', projectIds: [org.projectId] });
  });

  it('removes a member only after confirming, in a dialog naming them', async () => {
    const row = memberRow(page, leaver.email);
    await row.getByRole('button', { name: `Remove ${leaver.email}` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe(`Remove ${leaver.email} from ${org.orgName}?`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await membership(leaver.id)).toBeDefined();
    await row.getByRole('button', { name: `Remove ${leaver.email}` }).click();
    await dialog.getByRole('button', { name: 'Remove member' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    expect(await membership(leaver.id)).toBeUndefined();
    expect(await auditActions('member.removed')).toBe(1);
  });

  it('fits a 390 px wide phone: each member becomes a card, nothing of the page sticks out', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await memberRow(page, admin.email).waitFor();
      // The shared frame (header, navigation) is the layout's to fit: the check is on what this page renders in <main>.
      const overflowing = await page.evaluate<string[]>(`(() => {
        const main = document.querySelector('main');
        const right = main.getBoundingClientRect().right + 0.5;
        return [...main.querySelectorAll('*')]
          .filter((el) => !el.closest('thead') && el.getBoundingClientRect().right > right)
          .map((el) => el.tagName + '.' + el.className + ': ' + (el.textContent || '').slice(0, 40));
      })()`);
      expect(overflowing).toEqual([]);
      const cellDisplay = `getComputedStyle(document.querySelector('tbody tr[data-member-email] td[data-label="Email"]')).display`;
      expect(await page.evaluate<string>(cellDisplay)).toBe('block');
      await saveScreenshot(page, 'members-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
});

describe('members page as an admin', () => {
  let adminPage: Page;

  it('offers no role above admin, and shows the api’s owner_required refusal in words', async () => {
    const page = (adminPage = await signedInPage(admin));
    await page.goto(`${origin}/orgs/${org.orgId}/members`);
    const bootstrapOwner = `owner@${org.orgName}.test`;
    await memberRow(page, bootstrapOwner)
      .getByRole('button', { name: `Change ${bootstrapOwner}` })
      .click();
    const dialog = page.getByRole('dialog');
    // The owner's current role is shown, but the admin can only choose up to admin.
    expect(await dialog.getByLabel('Role').locator('option').allTextContents()).toEqual(['owner', 'admin', 'developer', 'viewer']);
    await dialog.getByLabel('Role').selectOption('admin');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('Only an owner can promote to, demote or remove an owner.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await membership((await ownerUserId())!))?.role).toBe('owner');
  });

  it('leaves the organization from their own row after confirming, signed out as the api ends a leaver’s sessions', async () => {
    const page = adminPage;
    await memberRow(page, admin.email).getByRole('button', { name: 'Leave the organization' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe(`Leave ${org.orgName}?`);
    await dialog.getByRole('button', { name: 'Leave organization' }).click();
    await page.waitForURL(`${origin}/login`);
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`You left ${org.orgName}.`);
    expect(await membership(admin.id)).toBeUndefined();
    expect(await page.evaluate<number>(`fetch('/api/me').then((r) => r.status)`)).toBe(401);
  });
});

async function ownerUserId(): Promise<string | undefined> {
  const rows = await queryRows<{ user_id: string }>(
    server.runtime.database.db,
    sql`select user_id from members where id = ${org.memberId}`,
  );
  return rows[0]?.user_id;
}

describe('a viewer', () => {
  let page: Page;

  it('has no link to the members, admin tokens or audit log, and no write control in the org settings', async () => {
    page = await signedInPage(viewer);
    const nav = page.getByRole('navigation', { name: 'Organization' });
    await nav.getByRole('link', { name: 'Settings' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Admin tokens' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Members' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Instance admin' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.getByText('Only owners change retention.').waitFor();
    expect(await page.locator('[data-field="org-name"]').textContent()).toBe(org.orgName);
    expect(
      await page
        .getByRole('button')
        .filter({ hasText: /Save|Delete|Require|Cancel deletion/ })
        .count(),
    ).toBe(0);
    expect(await page.getByRole('link', { name: /Download export/ }).count()).toBe(0);
  });

  it('sees the refusal in words on the admin tokens, the audit log and /admin, and the api answers 403 to the same calls', async () => {
    await page.goto(`${origin}/orgs/${org.orgId}/admin-tokens`);
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toBe('This needs the admin_tokens:read permission, which the viewer role does not have.');
    await page.goto(`${origin}/orgs/${org.orgId}/audit`);
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toBe('This needs the audit:read permission, which the viewer role does not have.');
    await page.goto(`${origin}/admin`);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toBe('Only an instance administrator may do this.');

    const api = await apiAs(viewer);
    const refused = [
      await api.get(`/api/orgs/${org.orgId}/admin-tokens`),
      await api.get(`/api/orgs/${org.orgId}/audit/events`),
      await api.get('/api/instance/settings'),
      await api.get(`/api/orgs/${org.orgId}/members`),
      await api.put(`/api/orgs/${org.orgId}/retention`, { requestLogDays: 5 }),
      await api.call('DELETE', `/api/orgs/${org.orgId}`, { confirm: org.orgName }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(refused.map((r) => r.error?.code)).toEqual([
      'permission_denied',
      'permission_denied',
      'instance_admin_required',
      'permission_denied',
      'permission_denied',
      'permission_denied',
    ]);
  });
});
