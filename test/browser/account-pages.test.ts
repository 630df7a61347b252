/**
 * The pages behind emailed links, in Chromium under the api's CSP, with real mail through the fake
 * SMTP server: accepting an invitation (as a new user, as the signed-in user, and refused when
 * used or expired), resetting a password from the mailed link (asked for through "Forgot
 * password?"), the TOTP step of password sign-in (right and wrong code, backup code), and the
 * email verification page (success from a mailed link, then refused as used; an unknown link).
 */
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.js';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';
import { createOrg, type ApiClient, type TestOrg } from '../support/api.js';
import { uniqueName } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createPasswordUser, signedInMember } from '../support/sessions.js';
import { totpFromUri, unusedTotp } from '../support/totp.js';
import { launchBrowser, watchConsole, freePort } from './support/browser.js';
import { reviewPage } from './support/page-review.js';

const NEW_PASSWORD = 'amber-quiver-lighthouse-5120';

let server: TestServer;
let smtp: FakeSmtp;
let browser: Browser;
let org: TestOrg;
let owner: ApiClient;
/** http://localhost:<port>, the PUBLIC_URL: the links in the mails point here. */
let origin: string;
const contexts: BrowserContext[] = [];
const consoles: ReturnType<typeof watchConsole>[] = [];

beforeAll(async () => {
  const port = await freePort();
  smtp = await startFakeSmtp();
  server = await startTestServer({ services: ['api'], env: { API_PORT: String(port), SMTP_URL: smtp.url } });
  origin = `http://localhost:${port}`;
  org = await createOrg(server, 'pages');
  owner = await signedInMember(server, org.orgName, 'owner');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
});
afterEach(async () => {
  // Every page worked under the CSP, without a script error.
  for (const watched of consoles.splice(0)) {
    expect(watched.cspViolations()).toEqual([]);
    expect(watched.messages.filter((line) => line.startsWith('pageerror:'))).toEqual([]);
  }
  for (const context of contexts.splice(0)) await context.close();
});

/** A new browser profile (no cookies, no storage), its console watched. */
async function openPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  consoles.push(watchConsole(page));
  return page;
}

async function linkIn(email: string, path: string): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.links.some((l) => l.startsWith(`${origin}${path}#token=`)));
  return mail.links.find((l) => l.startsWith(`${origin}${path}#token=`))!;
}

async function invite(email: string, role = 'developer'): Promise<string> {
  const created = await owner.post(`/api/orgs/${org.orgId}/invitations`, { email, role });
  expect(created.status).toBe(201);
  return linkIn(email, '/invite');
}

async function memberRole(email: string): Promise<string | undefined> {
  const rows = await queryRows<{ role: string }>(
    server.runtime.database.db,
    sql`select m.role from members m join users u on u.id = m.user_id where u.email = ${email} and m.org_id = ${org.orgId}`,
  );
  return rows[0]?.role;
}

/** A JSON POST from the page (its cookies, its origin), with the anti-CSRF header. */
async function postInPage<T = unknown>(page: Page, path: string, body: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ([url, json]) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-portcullis-csrf': '1' },
        body: json,
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    [path, JSON.stringify(body)] as const,
  );
}

async function signInWithPassword(page: Page, email: string, password: string) {
  await page.goto(`${origin}/sign-in`);
  await page.waitForSelector('#sign-in', { state: 'visible' });
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#password-form button[type="submit"]');
}

describe('invitation page', () => {
  let usedLink: string;

  it('accepts an invitation as a new user from the mailed link; the token leaves the address bar', async () => {
    const email = `${uniqueName('invitee')}@example.test`;
    const link = await invite(email);
    const page = await openPage();
    const response = await page.goto(link);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('#new-account', { state: 'visible' });
    expect(page.url()).toBe(`${origin}/invite`);
    expect(await page.getAttribute('#password', 'aria-describedby')).toBe('password-hint');
    expect(await page.textContent('#password-hint')).toContain('16 characters');
    await reviewPage(page, 'invite');

    // Checked in the page before anything is sent.
    await page.fill('#name', 'Ines Invitee');
    await page.fill('#password', 'too-short');
    await page.fill('#confirm', 'too-short');
    await page.click('#accept-form button[type="submit"]');
    await expect.poll(() => page.textContent('#error')).toContain('too short');

    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    await page.click('#accept-form button[type="submit"]');
    await page.waitForSelector('#done', { state: 'visible' });
    expect(await page.textContent('#done-text')).toContain('a developer');
    expect(await memberRole(email)).toBe('developer');

    // The new account signs in with the password chosen here.
    await page.click('#continue');
    await page.waitForSelector('#sign-in', { state: 'visible' });
    await page.fill('#email', email);
    await page.fill('#password', NEW_PASSWORD);
    await page.click('#password-form button[type="submit"]');
    await page.waitForSelector('#account', { state: 'visible' });
    expect(await page.textContent('#account-email')).toBe(email);
    expect(await page.isHidden('#pending-invitation')).toBe(true);
    usedLink = link;
  });

  it('says so when the invitation was already used', async () => {
    const page = await openPage();
    await page.goto(usedLink);
    await page.waitForSelector('#new-account', { state: 'visible' });
    await page.fill('#name', 'Someone Else');
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    await page.click('#accept-form button[type="submit"]');
    await page.waitForSelector('#error', { state: 'visible' });
    expect(await page.textContent('#error')).toMatch(/expired, was withdrawn or was already used/);
    expect(await page.isHidden('#new-account')).toBe(true);
  });

  it('says so when the invitation has expired', async () => {
    const email = `${uniqueName('late')}@example.test`;
    const link = await invite(email, 'viewer');
    await server.runtime.database.db.execute(sql`update invitations set expires_at = now() - interval '1 second' where email = ${email}`);
    const page = await openPage();
    await page.goto(link);
    await page.waitForSelector('#new-account', { state: 'visible' });
    await page.fill('#name', 'Late Comer');
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    await page.click('#accept-form button[type="submit"]');
    await page.waitForSelector('#error', { state: 'visible' });
    expect(await page.textContent('#error')).toMatch(/expired, was withdrawn or was already used/);
    expect(await memberRole(email)).toBeUndefined();
  });

  it('lets an existing user sign in first, come back and accept as themselves', async () => {
    const user = await createPasswordUser(server);
    const link = await invite(user.email, 'viewer');
    const page = await openPage();
    await page.goto(link);
    await page.waitForSelector('#new-account', { state: 'visible' });
    await page.click('#new-account a[href="/sign-in"]');
    await page.waitForSelector('#sign-in', { state: 'visible' });
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await page.click('#password-form button[type="submit"]');
    await page.waitForSelector('#pending-invitation', { state: 'visible' });
    await page.click('#pending-invitation a');
    await page.waitForSelector('#signed-in', { state: 'visible' });
    expect(await page.textContent('#accept-signed-in')).toBe(`Accept as ${user.email}`);
    await page.click('#accept-signed-in');
    await page.waitForSelector('#done', { state: 'visible' });
    expect(await page.textContent('#done-text')).toContain('a viewer');
    expect(await memberRole(user.email)).toBe('viewer');
  });
});

describe('password reset pages', () => {
  it('asks for a link from "Forgot password?", resets from the mailed link, then signs in with the new password', async () => {
    const user = await createPasswordUser(server);
    const page = await openPage();
    await page.goto(`${origin}/sign-in`);
    await page.click('text=Forgot password?');
    await page.waitForSelector('#request', { state: 'visible' });
    expect(page.url()).toBe(`${origin}/reset-password`);
    await reviewPage(page, 'reset-password');
    await page.fill('#email', user.email);
    await page.click('#request-form button[type="submit"]');
    await expect.poll(() => page.textContent('#status')).toContain('a link to reset its password is on its way');

    const link = await linkIn(user.email, '/reset-password');
    const resets: Request[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/auth/reset-password')) resets.push(request);
    });
    await page.goto(link);
    await page.waitForSelector('#reset', { state: 'visible' });
    expect(page.url()).toBe(`${origin}/reset-password`);

    // Mismatched passwords are refused in the page: nothing is sent.
    await page.fill('#new-password', NEW_PASSWORD);
    await page.fill('#confirm', `${NEW_PASSWORD}-typo`);
    await page.click('#reset-form button[type="submit"]');
    await expect.poll(() => page.textContent('#error')).toBe('The two passwords differ.');
    expect(resets).toHaveLength(0);

    await page.fill('#confirm', NEW_PASSWORD);
    await page.click('#reset-form button[type="submit"]');
    await page.waitForSelector('#done', { state: 'visible' });
    expect(await page.textContent('#done-text')).toContain('Your password was changed');
    expect(resets).toHaveLength(1);

    await page.click('#done a[href="/sign-in"]');
    await page.waitForSelector('#sign-in', { state: 'visible' });
    await page.fill('#email', user.email);
    await page.fill('#password', NEW_PASSWORD);
    await page.click('#password-form button[type="submit"]');
    await page.waitForSelector('#account', { state: 'visible' });
    expect(await page.textContent('#account-email')).toBe(user.email);

    // The link worked once.
    const again = await openPage();
    await again.goto(link);
    await again.fill('#new-password', NEW_PASSWORD);
    await again.fill('#confirm', NEW_PASSWORD);
    await again.click('#reset-form button[type="submit"]');
    await expect.poll(() => again.textContent('#error')).toMatch(/expired or was already used/);
    expect(await again.isVisible('#request')).toBe(true);
  });
});

describe('two-factor step of the sign-in page', () => {
  it('asks for the TOTP code after the password: a wrong code is refused in words, the right one signs in; a backup code works too', async () => {
    const user = await createPasswordUser(server);
    const page = await openPage();
    await signInWithPassword(page, user.email, user.password);
    await page.waitForSelector('#account', { state: 'visible' });
    // Turned on through the api, as the future account page will.
    const enabled = await postInPage<{ totpURI: string; backupCodes: string[] }>(page, '/api/auth/two-factor/enable', {
      password: user.password,
    });
    expect(enabled.status).toBe(200);
    const { totpURI, backupCodes } = enabled.body;
    const activated = (await postInPage(page, '/api/auth/two-factor/verify-totp', { code: await unusedTotp(totpURI) })).status;
    expect(activated).toBe(200);
    await page.goto(`${origin}/sign-in`);
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in', { state: 'visible' });

    await signInWithPassword(page, user.email, user.password);
    await page.waitForSelector('#two-factor', { state: 'visible' });
    expect(await page.isHidden('#sign-in')).toBe(true);
    expect(await page.getAttribute('#totp-code', 'autocomplete')).toBe('one-time-code');
    expect(await page.getAttribute('#totp-code', 'inputmode')).toBe('numeric');
    expect(await page.evaluate('document.activeElement?.id')).toBe('totp-code');
    expect(await page.evaluate(`fetch('/api/me').then((r) => r.status)`)).toBe(401);

    await page.fill('#totp-code', totpFromUri(totpURI, 5));
    await page.press('#totp-code', 'Enter');
    await expect.poll(() => page.textContent('#error')).toMatch(/That code is not right/);
    expect(await page.isVisible('#two-factor')).toBe(true);
    expect(await page.evaluate(`fetch('/api/me').then((r) => r.status)`)).toBe(401);

    await page.fill('#totp-code', await unusedTotp(totpURI));
    await page.press('#totp-code', 'Enter');
    await page.waitForSelector('#account', { state: 'visible' });
    expect(await page.textContent('#account-email')).toBe(user.email);
    expect(await page.isHidden('#two-factor')).toBe(true);
    expect(await page.evaluate(`fetch('/api/me').then((r) => r.status)`)).toBe(200);

    // Without the authenticator app: a backup code instead.
    await page.click('#sign-out');
    await signInWithPassword(page, user.email, user.password);
    await page.waitForSelector('#two-factor', { state: 'visible' });
    await page.click('#use-backup-code');
    await page.waitForSelector('#backup-code-form', { state: 'visible' });
    expect(await page.isHidden('#totp-form')).toBe(true);
    await page.fill('#backup-code', 'not-a-backup-code');
    await page.press('#backup-code', 'Enter');
    await expect.poll(() => page.textContent('#error')).toMatch(/backup code is not valid or was already used/);
    await page.fill('#backup-code', backupCodes[0]!);
    await page.press('#backup-code', 'Enter');
    await page.waitForSelector('#account', { state: 'visible' });
    expect(await page.textContent('#account-email')).toBe(user.email);
  });
});

describe('email verification page', () => {
  it('verifies on load from the mailed link, takes the token out of the address bar, and refuses the used link', async () => {
    const user = await createPasswordUser(server);
    await server.runtime.database.db.execute(sql`update users set email_verified = false where id = ${user.id}`);
    const page = await openPage();
    await signInWithPassword(page, user.email, user.password);
    await page.waitForSelector('#account', { state: 'visible' });
    expect((await postInPage(page, '/api/me/email-verification', {})).status).toBe(200);
    const link = await linkIn(user.email, '/verify-email');

    // Opened in another browser, without a session: the token is the credential.
    const other = await openPage();
    const sent: Request[] = [];
    other.on('request', (request) => {
      if (request.url().endsWith('/api/auth/verify-email')) sent.push(request);
    });
    const response = await other.goto(link);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await other.waitForSelector('#done', { state: 'visible' });
    expect(await other.textContent('#status')).toBe('Your email address is verified.');
    expect(other.url()).toBe(`${origin}/verify-email`);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method()).toBe('POST');
    expect(sent[0]!.postDataJSON()).toEqual({ token: decodeURIComponent(link.split('#token=')[1]!) });
    expect(sent[0]!.headers()).toMatchObject({ 'content-type': 'application/json', 'x-portcullis-csrf': '1' });
    const [row] = await queryRows<{ email_verified: boolean }>(
      server.runtime.database.db,
      sql`select email_verified from users where id = ${user.id}`,
    );
    expect(row!.email_verified).toBe(true);

    // The link works once.
    const again = await openPage();
    await again.goto(link);
    await again.waitForSelector('#failed', { state: 'visible' });
    expect(await again.textContent('#error')).toMatch(/not valid: it has expired, was already used or is incomplete/);
    expect(await again.isHidden('#done')).toBe(true);
    expect(await again.isHidden('#status')).toBe(true);
  });

  it('says clearly when the link is unknown or incomplete', async () => {
    const page = await openPage();
    await page.goto(`${origin}/verify-email#token=not-a-real-token`);
    await page.waitForSelector('#failed', { state: 'visible' });
    expect(await page.textContent('#error')).toMatch(/not valid: it has expired, was already used or is incomplete/);

    const bare = await openPage();
    await bare.goto(`${origin}/verify-email`);
    await bare.waitForSelector('#failed', { state: 'visible' });
    expect(await bare.textContent('#error')).toMatch(/link is incomplete/);
  });
});
