/**
 * The account pages in Chromium, served by the api under its CSP: sign-up refused while the instance
 * is invite-only (the sign-in page says accounts are by invitation, with no link) and accepted once an
 * instance admin opens it (the sign-in page links to it); on the Security page a passkey added
 * with the CDP virtual authenticator, renamed, used alone to sign in, a second one removed after a
 * confirmation; the password changed (the old one refused by the api); two-factor turned on with a
 * code computed from the secret the page shows (backup codes shown once) and asked for at the next
 * sign-in; a second browser's session listed, ended, and refused at its next call. On the Privacy
 * page the export downloaded as JSON, and deletion refused for a stale sign-in, then done. A
 * passkey-only account: recovery codes shown once, its last passkey kept (refused in words), and a
 * recovery code signing it in. Every page is watched for script errors and CSP violations.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from '../support/sessions.js';
import { totpFromUri, unusedTotp } from '../support/totp.js';
import { ageSessions, contextGet, everythingInPage, removePassword } from './support/account.js';
import { launchBrowser, withVirtualAuthenticator, type VirtualAuthenticator } from './support/browser.js';
import {
  assertDashboardBuilt,
  createPageWatcher,
  makeInstanceAdmin,
  openClipboardPage,
  startDashboardServer,
  submitPasswordSignIn,
} from './support/dashboard.js';
import { reviewPage } from './support/page-review.js';

const PASSWORD = 'amber-orchard-telescope-58';
const NEW_PASSWORD = 'quiet-granite-lighthouse-73';

let server: TestServer;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let authenticator: VirtualAuthenticator;
const pageWatcher = createPageWatcher();
const email = `ada-${Date.now()}@example.test`;
let userId = '';
let totpUri = '';
/** An instance admin, who opens sign-up through the api. */
let admin: { id: string; email: string; password: string };

/** Refusals caused on purpose, "status METHOD path"; ids are added as the tests learn them. */
const expectedFailures = new Set([
  '401 GET /api/me',
  '403 POST /api/auth/sign-up',
  '400 POST /api/auth/sign-up',
  '400 POST /api/auth/change-password',
  '400 POST /api/auth/two-factor/enable',
  '401 POST /api/auth/two-factor/verify-totp',
  '403 DELETE /api/me',
  '401 POST /api/auth/sign-in/recovery-code',
]);

// Each test walks several pages on a 2-core machine shared with other test runs.
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  assertDashboardBuilt();
  // Isolated: this file makes an instance admin and opens sign-up, neither of which may leak into other files.
  ({ server, origin } = await startDashboardServer(['api']));
  admin = await createPasswordUser(server);
  await makeInstanceAdmin(server, admin.id);
  browser = await launchBrowser();
  ({ context, page } = await openClipboardPage(browser, origin));
  await pageWatcher.watch(page);
  authenticator = await withVirtualAuthenticator(page);
  // An isolated database is made from scratch: slow when the machine is busy.
}, 240_000);

afterAll(async () => {
  try {
    pageWatcher.expectClean(expectedFailures);
  } finally {
    await context?.close();
    await browser?.close();
    await server?.stop();
  }
});

async function setSignupMode(signupMode: 'open' | 'invite_only'): Promise<void> {
  const session = await signIn(server, admin.email, admin.password, { origin });
  const adminApi = sessionApiClient(server, session.cookie!, origin);
  expect((await adminApi.put('/api/instance/settings', { signupMode })).status).toBe(200);
}

const passkeyRow = (target: Page, name: string) =>
  target.locator('tbody tr').filter({ has: target.locator('td.passkey-name', { hasText: new RegExp(`^${name}$`) }) });

/** The sign-in page's second step: the current code from the authenticator the test holds. */
async function enterTotp(target: Page): Promise<void> {
  await target.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
  await target.getByLabel('6-digit code from your authenticator app').fill(await unusedTotp(totpUri));
  await target.getByRole('button', { name: 'Verify' }).click();
}

describe('sign-up', () => {
  it('says on the sign-in page that accounts are by invitation while the instance is invite-only, and the sign-up page refuses in words', async () => {
    await page.goto(`${origin}/login`);
    await page.getByText('Accounts on this Portcullis are by invitation').waitFor();
    expect(await page.getByRole('link', { name: 'Create an account' }).count()).toBe(0);
    await page.goto(`${origin}/signup`);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/by invitation only/);
  });

  it('offers “Create an account” once an instance admin opens sign-up, and creates the account after refusing a short password with the policy’s words', async () => {
    await setSignupMode('open');
    await page.goto(`${origin}/login`);
    await page.getByRole('link', { name: 'Create an account' }).waitFor();
    expect(await page.getByText('Accounts on this Portcullis are by invitation').count()).toBe(0);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(`${origin}/signup`);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('too-short');
    await page.getByLabel('Password again').fill('too-short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/at least 16 characters/);
    await page.getByLabel('Password', { exact: true }).fill('a-different-one-entirely');
    await page.getByLabel('Password again').fill('not-the-same-at-all-here');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The two passwords are not the same.');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await reviewPage(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${origin}/account/security`);
    const me = await contextGet<{ user: { id: string; email: string } }>(context, origin, '/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
    userId = me.body.user.id;
  });
});

describe('security: passkeys', () => {
  it('adds a passkey with the virtual authenticator and lists it', async () => {
    await page.getByText('You have no passkey yet.').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Give the passkey a name/);
    await page.getByLabel('Name of the new passkey').fill('laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'added' }).textContent()).toBe('Passkey “laptop” added.');
    await passkeyRow(page, 'laptop').waitFor();
    expect(await passkeyRow(page, 'laptop').locator('td[data-label="Last used"]').textContent()).toBe('Never');
    expect(await authenticator.credentials()).toHaveLength(1);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await reviewPage(page, 'security');
  });

  it('renames it', async () => {
    await page.getByRole('button', { name: 'Rename laptop' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New name').fill('work laptop');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await dialog.waitFor({ state: 'detached' });
    await passkeyRow(page, 'work laptop').waitFor();
  });

  it('signs out, then signs in with the passkey alone', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${origin}/login`);
    expect((await contextGet(context, origin, '/api/me')).status).toBe(401);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${origin}/`);
    const me = await contextGet<{ user: { email: string } }>(context, origin, '/api/me');
    expect(me.body.user.email).toBe(email);
    await page.goto(`${origin}/account/security`);
    await passkeyRow(page, 'work laptop').waitFor();
    expect(await passkeyRow(page, 'work laptop').locator('td[data-label="Last used"]').textContent()).not.toBe('Never');
  });

  it('refuses a second passkey on the same authenticator in words, and removes a second one only after the confirmation', async () => {
    await page.getByLabel('Name of the new passkey').fill('spare key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('This authenticator already holds a passkey for your account.');
    // Another authenticator (a security key, say) may hold one.
    await authenticator.remove();
    authenticator = await withVirtualAuthenticator(page);
    await page.getByLabel('Name of the new passkey').fill('spare key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await passkeyRow(page, 'spare key').waitFor();
    await page.getByRole('button', { name: 'Remove spare key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await passkeyRow(page, 'spare key').waitFor();
    await page.getByRole('button', { name: 'Remove spare key' }).click();
    await dialog.getByRole('button', { name: 'Remove passkey' }).click();
    await dialog.waitFor({ state: 'detached' });
    await passkeyRow(page, 'spare key').waitFor({ state: 'detached' });
    await passkeyRow(page, 'work laptop').waitFor();
  });
});

describe('security: password and two-factor', () => {
  it('refuses a wrong current password in words, then changes it: the old one no longer signs in', async () => {
    await page.getByLabel('Current password').fill('not-my-password-at-all');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/current password is not right/);
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other sessions were signed out.').waitFor();
    expect((await contextGet(context, origin, '/api/me')).status).toBe(200);
    expect((await signIn(server, email, PASSWORD, { origin })).status).toBe(401);
    expect((await signIn(server, email, NEW_PASSWORD, { origin })).status).toBe(200);
  });

  it('turns two-factor on with a code computed from the shown secret; the backup codes are shown once', async () => {
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Your password').fill('wrong-password-for-this');
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/password is not right/);
    await dialog.getByLabel('Your password').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    totpUri = await dialog.getByLabel('Setup address (otpauth)').inputValue();
    const secret = new URL(totpUri).searchParams.get('secret')!;
    expect((await dialog.getByLabel('Secret key').inputValue()).replace(/ /g, '')).toBe(secret);
    const backupCodes = await dialog.getByRole('list', { name: 'Your backup codes' }).locator('code').allTextContents();
    expect(backupCodes).toHaveLength(10);

    await dialog.getByLabel('The 6-digit code your app shows now').fill('12345');
    await dialog.getByRole('button', { name: 'Turn on two-factor' }).click();
    expect(await dialog.getByRole('alert').textContent()).toMatch(/6-digit code/);
    const wrong = totpFromUri(totpUri) === '000000' ? '111111' : '000000';
    await dialog.getByLabel('The 6-digit code your app shows now').fill(wrong);
    await dialog.getByRole('button', { name: 'Turn on two-factor' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/code is not right/);
    await dialog.getByLabel('The 6-digit code your app shows now').fill(await unusedTotp(totpUri));
    await dialog.getByRole('button', { name: 'Turn on two-factor' }).click();
    await dialog.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('#two-factor-title + p strong').textContent()).toBe('On');
    // Shown once: nowhere in the page or its storage after the dialog closed, nor after a reload.
    for (const code of [secret, ...backupCodes]) expect(await everythingInPage(page)).not.toContain(code);
    await page.reload();
    await page.getByRole('button', { name: 'Turn off two-factor' }).waitFor();
    for (const code of [secret, ...backupCodes]) expect(await everythingInPage(page)).not.toContain(code);
  });

  it('replaces the backup codes after the password, showing the new set once', async () => {
    await page.getByRole('button', { name: 'New backup codes' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Your password').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Replace backup codes' }).click();
    await dialog.getByRole('heading', { name: 'Your new backup codes' }).waitFor();
    const codes = await dialog.getByRole('list', { name: 'Your backup codes' }).locator('code').allTextContents();
    expect(codes).toHaveLength(10);
    await dialog.getByRole('button', { name: 'I have stored the codes' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await everythingInPage(page)).not.toContain(codes[0]);
  });

  it('asks for the authenticator’s code at the next password sign-in', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${origin}/login`);
    await submitPasswordSignIn(page, email, NEW_PASSWORD);
    await enterTotp(page);
    await page.waitForURL(`${origin}/`);
    expect((await contextGet(context, origin, '/api/me')).status).toBe(200);
  });
});

describe('security: sessions', () => {
  let other: BrowserContext;
  let otherPage: Page;

  afterAll(async () => {
    await other?.close();
  });

  it('lists a second browser’s session, ends it, and that browser’s next api call is refused', async () => {
    other = await browser.newContext();
    otherPage = await other.newPage();
    await pageWatcher.watch(otherPage);
    await otherPage.goto(`${origin}/login`);
    await submitPasswordSignIn(otherPage, email, NEW_PASSWORD);
    await enterTotp(otherPage);
    await otherPage.waitForURL(`${origin}/`);
    const theirs = await contextGet<{ sessions: { id: string; current: boolean }[] }>(other, origin, '/api/me/sessions');
    const otherSessionId = theirs.body.sessions.find((s) => s.current)!.id;

    await page.goto(`${origin}/account/security`);
    const otherRow = page.locator(`tr[data-session-id="${otherSessionId}"]`);
    await otherRow.waitFor();
    expect(await otherRow.locator('td[data-label="Device"]').textContent()).toMatch(/Chrome on Linux/);
    expect(await page.locator('tr.current-session').textContent()).toContain('This browser');
    await otherRow.getByRole('button', { name: /^End session of/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'End session' }).click();
    await dialog.waitFor({ state: 'detached' });
    await otherRow.waitFor({ state: 'detached' });
    expect((await contextGet(other, origin, '/api/me')).status).toBe(401);
    await otherPage.reload();
    await otherPage.waitForURL(`${origin}/login`);
  });

  it('signs out everywhere else, keeping this browser', async () => {
    // The api sign-in of the password test left one more session.
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out other sessions' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'ended' }).textContent())
      .toMatch(/^\d+ other sessions? (was|were) ended\.$/);
    await expect.poll(() => page.locator('tr[data-session-id]').count()).toBe(1);
    expect(await page.locator('tr.current-session').count()).toBe(1);
    expect((await contextGet(context, origin, '/api/me')).status).toBe(200);
  });
});

describe('privacy', () => {
  it('downloads the personal-data export as JSON holding the user’s email', async () => {
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Privacy' }).click();
    await page.waitForURL(`${origin}/account/privacy`);
    await page.getByRole('button', { name: 'Delete my account…' }).waitFor();
    await reviewPage(page, 'privacy');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download my data (JSON)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^portcullis-personal-data-\d{4}-\d{2}-\d{2}\.json$/);
    const archive = JSON.parse(await readFile(await download.path(), 'utf8')) as unknown;
    expect(JSON.stringify(archive)).toContain(email);
    expect(JSON.stringify(archive)).not.toContain(NEW_PASSWORD);
  });

  it('refuses deletion after an old sign-in, in words, and deletes the account after signing in again', async () => {
    await ageSessions(server, userId);
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Type your email address to confirm').fill('someone-else@example.test');
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    expect(await dialog.getByRole('alert').textContent()).toMatch(/Type your email address/);
    await dialog.getByLabel('Type your email address to confirm').fill(email);
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/sign-in from the last 15 minutes/);
    await dialog.getByRole('button', { name: 'Sign in again' }).click();
    await page.waitForURL(`${origin}/login`);
    await submitPasswordSignIn(page, email, NEW_PASSWORD);
    await enterTotp(page);
    await page.waitForURL(`${origin}/account/privacy`);

    await page.getByRole('button', { name: 'Delete my account…' }).click();
    await dialog.getByLabel('Type your email address to confirm').fill(email);
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL(`${origin}/login`);
    await page.getByText('Your account was deleted.').waitFor();
    expect((await signIn(server, email, NEW_PASSWORD, { origin })).status).toBe(401);
  });
});

describe('a passkey-only account', () => {
  let own: BrowserContext;
  let ownPage: Page;
  let user: { id: string; email: string; password: string };

  afterAll(async () => {
    await own?.close();
  });

  it('shows recovery codes instead of password and two-factor, generated once', async () => {
    user = await createPasswordUser(server);
    own = await browser.newContext();
    ownPage = await own.newPage();
    await pageWatcher.watch(ownPage);
    await withVirtualAuthenticator(ownPage);
    await ownPage.goto(`${origin}/login`);
    await submitPasswordSignIn(ownPage, user.email, user.password);
    await ownPage.waitForURL(`${origin}/`);
    await ownPage.goto(`${origin}/account/security`);
    await ownPage.getByLabel('Name of the new passkey').fill('only key');
    await ownPage.getByRole('button', { name: 'Add a passkey' }).click();
    await passkeyRow(ownPage, 'only key').waitFor();
    await removePassword(server, user.id);
    await ownPage.reload();
    await ownPage.getByText('You have no unused recovery code. Generate a set now.').waitFor();
    expect(await ownPage.getByRole('heading', { name: 'Password', exact: true }).count()).toBe(0);
    await ownPage.getByRole('button', { name: 'Generate new recovery codes' }).click();
    const dialog = ownPage.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    const codes = await dialog.getByRole('list', { name: 'Your recovery codes' }).locator('code').allTextContents();
    expect(codes).toHaveLength(10);
    await dialog.getByRole('button', { name: 'I have stored the codes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await ownPage.getByText('10 unused recovery codes left.').waitFor();
    expect(await everythingInPage(ownPage)).not.toContain(codes[0]);

    // The last way into the account stays: the api's refusal, in words.
    const passkeys = await contextGet<{ passkeys: { id: string }[] }>(own, origin, '/api/me/passkeys');
    expectedFailures.add(`409 DELETE /api/me/passkeys/${passkeys.body.passkeys[0]!.id}`);
    await ownPage.getByRole('button', { name: 'Remove only key' }).click();
    await dialog.getByRole('button', { name: 'Remove passkey' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/last way into your account/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await passkeyRow(ownPage, 'only key').waitFor();

    // A recovery code signs in once; a wrong one is refused in words.
    await ownPage.getByRole('button', { name: 'Sign out', exact: true }).click();
    await ownPage.waitForURL(`${origin}/login`);
    await ownPage.getByRole('button', { name: 'Use a recovery code' }).click();
    await ownPage.getByLabel('Email').fill(user.email);
    await ownPage.getByLabel('Recovery code').fill('AAAAA-BBBBB-CCCCC-DDDDD');
    await ownPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => ownPage.getByRole('alert').textContent()).toMatch(/do not match an account/);
    await ownPage.getByLabel('Email').fill(user.email);
    await ownPage.getByLabel('Recovery code').fill(codes[0]!);
    await ownPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await ownPage.waitForURL(`${origin}/`);
    expect((await contextGet(own, origin, '/api/me/recovery-codes')).body).toEqual({ remaining: 9 });
  });

  it('asks for a password-reset link from the sign-in page, with the same answer for any address', async () => {
    await ownPage.getByRole('button', { name: 'Sign out', exact: true }).click();
    await ownPage.waitForURL(`${origin}/login`);
    await ownPage.getByRole('button', { name: 'Forgot your password?' }).click();
    await ownPage.getByLabel('Email').fill('nobody-here@example.test');
    await ownPage.getByRole('button', { name: 'Send the reset link' }).click();
    await expect.poll(() => ownPage.getByRole('status').textContent()).toMatch(/^If an account uses nobody-here@example\.test, a link/);
    await ownPage.getByRole('button', { name: 'Back to sign in' }).click();
    await ownPage.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
