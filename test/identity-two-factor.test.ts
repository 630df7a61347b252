/** Two-factor (TOTP), backup and recovery codes, and the org's "2FA or passkey for admins" rule, over real HTTP. */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { users } from '../src/db/schema/index.js';
import { generateRecoveryCodes, recoveryCodeHasher } from '../src/identity/recovery-codes.js';
import { createOrg, mintToken, apiClient, operatorCtx, type TestOrg } from './support/api.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionClient } from './support/sessions.js';
import { totpFromUri, unusedTotp } from './support/totp.js';
import { cookieBrowser, enableTwoFactor } from './support/two-factor.js';

const ORIGIN = 'https://portcullis.example.test';

let server: TestServer;
let org: TestOrg;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
  org = await createOrg(server, 'tfa');
}, 60_000);
afterAll(async () => server?.stop());

/** A browser-like cookie jar over the auth and api routes. */
const browser = (target: TestServer = server) => cookieBrowser(target, ORIGIN);

async function auditRows(action: string, userId: string, target: TestServer = server) {
  return queryRows<{ action: string; reason: string | null; target_id: string | null }>(
    target.runtime.database.db,
    sql`select action, reason, target_id from audit_events where action = ${action} and (target_id = ${userId} or actor_id = ${userId}) order by id`,
  );
}

/** Signs a password user in and turns TOTP on; returns the URI, backup codes and the browser. */
const withTwoFactor = (
  options: { org?: { name: string; role: 'owner' | 'admin' | 'developer' | 'viewer' } } = {},
  target: TestServer = server,
) => enableTwoFactor(target, ORIGIN, options);

describe('TOTP two-factor', () => {
  it('is enabled with the password and a first code, stores the secret and backup codes encrypted, and is audited', async () => {
    const { user, uri, backupCodes } = await withTwoFactor();
    const [row] = await queryRows<{ secret: string; backup_codes: string; verified: boolean }>(
      server.runtime.database.db,
      sql`select secret, backup_codes, verified from two_factors where user_id = ${user.id}`,
    );
    const secret = new URL(uri).searchParams.get('secret')!;
    expect(row!.verified).toBe(true);
    expect(row!.secret).not.toContain(secret);
    for (const code of backupCodes) expect(row!.backup_codes).not.toContain(code);
    expect(await auditRows('two_factor.enabled', user.id)).toHaveLength(1);
  });

  it('asks for a code after the password: no session until then; a wrong code is refused and audited; the right one signs in', async () => {
    const { user, uri } = await withTwoFactor();
    const logins = (await auditRows('auth.login', user.id)).length;
    const b = browser();
    const first = await b.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ twoFactorRequired: true, methods: ['totp'] });
    expect(b.session()).toBeUndefined();
    expect(b.jar.has('portcullis.two_factor')).toBe(true);
    expect((await b.call('GET', '/api/me')).status).toBe(401);
    // The half-finished sign-in left no session behind and is no `auth.login`.
    const rows = await queryRows(server.runtime.database.db, sql`select id from sessions where user_id = ${user.id}`);
    expect(rows).toHaveLength(1); // the session from withTwoFactor only
    expect(await auditRows('auth.login', user.id)).toHaveLength(logins);

    const wrong = await b.call('POST', '/api/auth/two-factor/verify-totp', { code: totpFromUri(uri, 5) });
    expect(wrong.status).toBe(401);
    expect(b.session()).toBeUndefined();
    const failures = await auditRows('auth.two_factor_failed', user.id);
    expect(failures.at(-1)).toMatchObject({ target_id: user.id, reason: 'totp:invalid_code' });

    // trustDevice is not passed on: no trust cookie, the next sign-in asks again.
    const ok = await b.call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri), trustDevice: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ user: { id: user.id, email: user.email, name: 'Test User' } });
    expect(b.session()).toBeDefined();
    expect(b.jar.has('portcullis.trust_device')).toBe(false);
    expect((await b.call('GET', '/api/me')).status).toBe(200);
    expect(await auditRows('auth.login', user.id)).toHaveLength(logins + 1);
    // The session store still holds only a hash of the new token.
    const tokens = await queryRows<{ token: string }>(
      server.runtime.database.db,
      sql`select token from sessions where user_id = ${user.id}`,
    );
    const raw = decodeURIComponent(b.session()!).split('.')[0]!;
    for (const t of tokens) expect(t.token).not.toContain(raw);
  });

  it('accepts a TOTP code once: a replay within its window is refused and audited, a retyped wrong code is only wrong', async () => {
    // A server of its own: its eight sign-in steps would spend this file's per-address sign-in budget.
    const own = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
    onTestFinished(() => own.stop());
    const { user, uri } = await withTwoFactor({}, own);
    const code = await unusedTotp(uri);
    const signInWith = async (totp: string) => {
      const b = browser(own);
      expect((await b.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password })).status).toBe(200);
      return { response: await b.call('POST', '/api/auth/two-factor/verify-totp', { code: totp }), b };
    };
    const first = await signInWith(code);
    expect(first.response.status).toBe(200);
    // The same code again (also written with a space), on a fresh password step: refused, no session.
    for (const replay of [code, `${code.slice(0, 3)} ${code.slice(3)}`]) {
      const again = await signInWith(replay);
      expect(again.response.status).toBe(401);
      expect(again.response.body).toMatchObject({ error: { code: 'CODE_ALREADY_USED' } });
      expect(again.b.session()).toBeUndefined();
      expect((await again.b.call('GET', '/api/me')).status).toBe(401);
    }
    expect((await auditRows('auth.two_factor_failed', user.id, own)).filter((r) => r.reason === 'totp:code_reused')).toHaveLength(2);
    // A wrong code does not count as used: the same wrong code twice is "invalid" both times.
    const wrong = totpFromUri(uri, 5);
    const b = browser(own);
    await b.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
    for (let i = 0; i < 2; i++) {
      const refused = await b.call('POST', '/api/auth/two-factor/verify-totp', { code: wrong });
      expect(refused.status).toBe(401);
      expect(JSON.stringify(refused.body)).not.toContain('CODE_ALREADY_USED');
    }
    // A fresh code still signs in.
    expect((await b.call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri) })).status).toBe(200);
  }, 90_000); // the third code may wait for the next 30-second step

  it('accepts a backup code once instead of the TOTP code (recovery_code.used)', async () => {
    const { user, backupCodes } = await withTwoFactor();
    const signInWith = async (code: string) => {
      const b = browser();
      await b.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
      return { response: await b.call('POST', '/api/auth/two-factor/verify-backup-code', { code }), b };
    };
    const first = await signInWith(backupCodes[0]!);
    expect(first.response.status).toBe(200);
    expect((await first.b.call('GET', '/api/me')).status).toBe(200);
    expect(await auditRows('recovery_code.used', user.id)).toHaveLength(1);
    const again = await signInWith(backupCodes[0]!);
    expect(again.response.status).toBe(401);
    expect(again.b.session()).toBeUndefined();
  });

  it('is disabled with the password (audited), after which the password alone signs in', async () => {
    const { user, browser: b } = await withTwoFactor();
    expect((await b.call('POST', '/api/auth/two-factor/disable', { password: 'not-the-password-at-all' })).status).toBe(400);
    const off = await b.call('POST', '/api/auth/two-factor/disable', { password: user.password });
    expect(off.status).toBe(200);
    expect((await b.call('GET', '/api/me')).status).toBe(200); // the replaced session cookie works
    expect(await auditRows('two_factor.disabled', user.id)).toHaveLength(1);
    const fresh = browser();
    const signIn = await fresh.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
    expect(signIn.body).toHaveProperty('user');
    expect(fresh.session()).toBeDefined();
  });
});

describe('recovery codes (passkey-only accounts)', () => {
  async function passwordlessUser() {
    const id = randomUUID();
    const email = `${uniqueName('pk')}@example.test`;
    await server.runtime.apiDb.withRole((tx) => tx.insert(users).values({ id, email, name: 'Passkey User', emailVerified: true }));
    return { id, email };
  }
  const hash = () => recoveryCodeHasher(server.runtime.secrets.authSecret);

  it('signs in once per code, stores only keyed hashes, and lets the user replace the set', async () => {
    const user = await passwordlessUser();
    const codes = await generateRecoveryCodes(server.runtime.apiDb, hash(), user.id, operatorCtx);
    expect(codes).toHaveLength(10);
    const stored = await queryRows<{ value: string }>(
      server.runtime.database.db,
      sql`select value from verifications where identifier = ${`recovery-code:${user.id}`}`,
    );
    expect(stored).toHaveLength(10);
    for (const code of codes) expect(stored.map((s) => s.value).join()).not.toContain(code);

    const b = browser();
    const ok = await b.call('POST', '/api/auth/sign-in/recovery-code', { email: user.email, code: codes[0]!.toLowerCase() });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ user: { id: user.id, email: user.email, name: 'Passkey User' } });
    expect((await b.call('GET', '/api/me/recovery-codes')).body).toEqual({ remaining: 9 });
    expect(await auditRows('recovery_code.used', user.id)).toHaveLength(1);

    const reuse = await browser().call('POST', '/api/auth/sign-in/recovery-code', { email: user.email, code: codes[0] });
    const unknown = await browser().call('POST', '/api/auth/sign-in/recovery-code', { email: `nobody-${user.email}`, code: codes[1] });
    expect(reuse.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(reuse.body).toEqual(unknown.body);

    const fresh = await b.call('POST', '/api/me/recovery-codes');
    expect(fresh.status).toBe(200);
    const newCodes = fresh.body!.codes as string[];
    expect(newCodes).toHaveLength(10);
    expect((await browser().call('POST', '/api/auth/sign-in/recovery-code', { email: user.email, code: codes[1] })).status).toBe(401);
    expect((await browser().call('POST', '/api/auth/sign-in/recovery-code', { email: user.email, code: newCodes[0] })).status).toBe(200);
  });

  it('is refused for an account with a password (it has two-factor backup codes instead)', async () => {
    const user = await createPasswordUser(server);
    const b = browser();
    await b.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
    const refused = await b.call('POST', '/api/me/recovery-codes');
    expect(refused.status).toBe(409);
    expect((refused.body!.error as { code: string }).code).toBe('password_account');
  });

  it('throttles recovery-code sign-in per account (429), even for the right code', async () => {
    const user = await passwordlessUser();
    const codes = await generateRecoveryCodes(server.runtime.apiDb, hash(), user.id, operatorCtx);
    let last = await browser().call('POST', '/api/auth/sign-in/recovery-code', { email: user.email, code: 'AAAAA-AAAAA-AAAAA-AAAA0' });
    for (let i = 1; i <= 10 && last.status === 401; i++)
      last = await browser().call('POST', '/api/auth/sign-in/recovery-code', { email: user.email, code: `AAAAA-AAAAA-AAAAA-AAAA${i}` });
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await browser().call('POST', '/api/auth/sign-in/recovery-code', { email: user.email, code: codes[0] })).status).toBe(429);
    const failed = await auditRows('auth.login_failed', user.id);
    expect(failed.filter((f) => f.reason === 'recovery_code').length).toBeGreaterThanOrEqual(10);
  });
});

describe('org setting: require 2FA or passkey for admins and owners', () => {
  it('blocks an owner without either on admin actions only, not admin tokens, and allows after enabling 2FA', async () => {
    const owner = await createPasswordUser(server, { org: { name: org.orgName, role: 'owner' } });
    const b = browser();
    await b.call('POST', '/api/auth/sign-in/email', { email: owner.email, password: owner.password });
    // An owner cannot turn it on while it would lock them out.
    const selfLock = await b.call('PUT', `/api/orgs/${org.orgId}/security`, { requireStrongAuthForAdmins: true });
    expect(selfLock.status).toBe(409);
    const token = await mintToken(server, org, 'owner');
    const admin = apiClient(server, token);
    expect((await admin.put(`/api/orgs/${org.orgId}/security`, { requireStrongAuthForAdmins: true })).status).toBe(200);

    const blocked = await b.call('POST', `/api/orgs/${org.orgId}/projects`, { name: uniqueName('blocked') });
    expect(blocked.status).toBe(403);
    expect((blocked.body!.error as { code: string }).code).toBe('strong_auth_required');
    expect((await b.call('GET', `/api/orgs/${org.orgId}/projects`)).status).toBe(200); // reads still work
    expect((await admin.post(`/api/orgs/${org.orgId}/projects`, { name: uniqueName('token') })).status).toBe(201);

    const enabled = await b.call('POST', '/api/auth/two-factor/enable', { password: owner.password });
    await b.call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(enabled.body!.totpURI as string) });
    expect((await b.call('POST', `/api/orgs/${org.orgId}/projects`, { name: uniqueName('allowed') })).status).toBe(201);
    expect((await admin.put(`/api/orgs/${org.orgId}/security`, { requireStrongAuthForAdmins: false })).status).toBe(200);
    // A session client without the jar still sees the rule off now.
    expect(
      (await sessionClient(server, `portcullis.session_token=${b.session()}`, ORIGIN)('GET', `/api/orgs/${org.orgId}/security`)).body,
    ).toEqual({
      requireStrongAuthForAdmins: false,
      oidcGroupRoles: {},
    });
  });
});
