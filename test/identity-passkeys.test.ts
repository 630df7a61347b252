/**
 * Passkey management over HTTP, without a browser: `/api/me/passkeys` lists, renames and removes
 * (audited, another user's passkey is not found, the last sign-in method is kept), better-auth's
 * own list/update/delete endpoints are closed, and WEBAUTHN_* configuration. The WebAuthn
 * ceremonies themselves are tested in Chromium (test/browser/passkeys.test.ts).
 */
import { openedAuditRows } from './support/audit.js';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config-error.js';
import { queryRows } from '../src/db/rows.js';
import { accounts, passkeys } from '../src/db/schema/index.js';
import { startTestServer, testConfig, type TestServer } from './support/server.js';
import { createPasswordUser, sessionClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
}, 60_000);
afterAll(async () => server?.stop());

type PasskeyBody = {
  id: string;
  name: string | null;
  createdAt: string | null;
  lastUsedAt: string | null;
  deviceType: string;
  backedUp: boolean;
};

/** A stored passkey row as the plugin would write it (the key material is never read by these routes). */
async function addPasskey(userId: string, name: string | null): Promise<string> {
  const id = randomUUID();
  await server.runtime.apiDb.withRole((tx) =>
    tx.insert(passkeys).values({
      id,
      name,
      userId,
      publicKey: 'pQECAyYgASFYIA',
      credentialID: randomUUID(),
      counter: 0,
      deviceType: 'singleDevice',
      backedUp: false,
      transports: 'internal',
    }),
  );
  return id;
}

/** A signed-in user; `passwordless` removes the password afterwards (the session stays), as for a passkey-only account. */
async function signedInUser(options: { passwordless?: boolean } = {}) {
  const user = await createPasswordUser(server);
  const { cookie } = await signIn(server, user.email, user.password, { origin: ORIGIN });
  if (options.passwordless) await server.runtime.apiDb.withRole((tx) => tx.delete(accounts).where(eq(accounts.userId, user.id)));
  return { ...user, call: sessionClient(server, cookie!, ORIGIN) };
}

/** The passkey's events as a reader sees them (names are sealed under the owner's key at rest). */
async function auditEvents(targetId: string) {
  const rows = await openedAuditRows(
    server.runtime.database.db,
    server.runtime.apiDb,
    sql`target_type = 'passkey' and target_id = ${targetId}`,
    sql`id`,
  );
  return rows.map((row) => ({ action: row.action, actor_id: row.actor_id, diff: row.diff }));
}

describe('/api/me/passkeys', () => {
  it('lists only my passkeys, with name, dates, device type and backup state, never key material', async () => {
    const me = await signedInUser();
    const other = await signedInUser();
    const mine = await addPasskey(me.id, 'YubiKey');
    await addPasskey(other.id, 'Not mine');
    const list = await me.call<{ passkeys: PasskeyBody[] }>('GET', '/api/me/passkeys');
    expect(list.status).toBe(200);
    expect(list.body.passkeys).toEqual([
      { id: mine, name: 'YubiKey', createdAt: expect.any(String), lastUsedAt: null, deviceType: 'singleDevice', backedUp: false },
    ]);
    expect(list.text).not.toMatch(/publicKey|credentialID|pQECAyYgASFYIA/);
  });

  it('renames a passkey (audited) and answers 404 for another user’s passkey and 400 for an empty name', async () => {
    const me = await signedInUser();
    const other = await signedInUser();
    const mine = await addPasskey(me.id, 'old name');
    const theirs = await addPasskey(other.id, 'theirs');

    const renamed = await me.call<PasskeyBody>('PATCH', `/api/me/passkeys/${mine}`, { name: '  Laptop  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: mine, name: 'Laptop' });
    expect(await auditEvents(mine)).toEqual([
      { action: 'passkey.renamed', actor_id: me.id, diff: { name: 'Laptop', previousName: 'old name' } },
    ]);

    expect((await me.call('PATCH', `/api/me/passkeys/${theirs}`, { name: 'hijacked' })).status).toBe(404);
    expect((await me.call('PATCH', `/api/me/passkeys/${randomUUID()}`, { name: 'x' })).status).toBe(404);
    expect((await me.call('PATCH', `/api/me/passkeys/${mine}`, { name: '   ' })).status).toBe(400);
    const [row] = await queryRows<{ name: string }>(server.runtime.database.db, sql`select name from passkeys where id = ${theirs}`);
    expect(row!.name).toBe('theirs');
  });

  it('removes a passkey (audited); another user’s passkey is not found', async () => {
    const me = await signedInUser();
    const other = await signedInUser();
    const mine = await addPasskey(me.id, 'YubiKey');
    const theirs = await addPasskey(other.id, 'theirs');

    expect((await me.call('DELETE', `/api/me/passkeys/${theirs}`)).status).toBe(404);
    // A password account may remove its last passkey: the password remains.
    expect((await me.call('DELETE', `/api/me/passkeys/${mine}`)).status).toBe(204);
    expect((await me.call<{ passkeys: unknown[] }>('GET', '/api/me/passkeys')).body.passkeys).toEqual([]);
    expect(await auditEvents(mine)).toEqual([{ action: 'passkey.removed', actor_id: me.id, diff: { name: 'YubiKey' } }]);
    expect((await me.call('DELETE', `/api/me/passkeys/${mine}`)).status).toBe(404);
    expect(await queryRows(server.runtime.database.db, sql`select 1 from passkeys where id = ${theirs}`)).toHaveLength(1);
  });

  it('refuses (409) to remove the last passkey of an account without a password', async () => {
    const me = await signedInUser({ passwordless: true });
    const first = await addPasskey(me.id, 'phone');
    const second = await addPasskey(me.id, 'YubiKey');
    expect((await me.call('DELETE', `/api/me/passkeys/${first}`)).status).toBe(204);
    const last = await me.call('DELETE', `/api/me/passkeys/${second}`);
    expect(last.status).toBe(409);
    expect(last.error?.code).toBe('last_sign_in_method');
    expect((await me.call<{ passkeys: PasskeyBody[] }>('GET', '/api/me/passkeys')).body.passkeys.map((p) => p.id)).toEqual([second]);
    expect(await auditEvents(second)).toEqual([]);
  });

  it('needs a signed-in user, and closes better-auth’s own passkey list/update/delete endpoints', async () => {
    expect((await fetch(`${server.apiUrl}/api/me/passkeys`)).status).toBe(401);
    const me = await signedInUser();
    const id = await addPasskey(me.id, 'YubiKey');
    expect((await me.call('GET', '/api/auth/passkey/list-user-passkeys')).status).toBe(404);
    expect((await me.call('POST', '/api/auth/passkey/update-passkey', { id, name: 'unaudited' })).status).toBe(404);
    expect((await me.call('POST', '/api/auth/passkey/delete-passkey', { id })).status).toBe(404);
    expect((await me.call<{ passkeys: PasskeyBody[] }>('GET', '/api/me/passkeys')).body.passkeys[0]!.name).toBe('YubiKey');
    // The ceremony endpoints stay open (options for a signed-in user's registration).
    const options = await me.call<{ rp: { id: string }; authenticatorSelection: Record<string, unknown>; attestation: string }>(
      'GET',
      '/api/auth/passkey/generate-register-options',
    );
    expect(options.status).toBe(200);
    expect(options.body.rp.id).toBe('portcullis.example.test');
    expect(options.body.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    });
    expect(options.body.attestation).toBe('none');
  });
});

describe('WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS', () => {
  it('default to PUBLIC_URL’s host name and origin', () => {
    expect(testConfig({ PUBLIC_URL: 'https://llm.example.com/portcullis/' }).webauthn).toEqual({
      rpId: 'llm.example.com',
      origins: ['https://llm.example.com'],
    });
  });

  it('accept a parent domain with several origins on it, and refuse an origin outside the RP id', () => {
    expect(
      testConfig({
        PUBLIC_URL: 'https://llm.example.com',
        WEBAUTHN_RP_ID: 'Example.com',
        WEBAUTHN_ORIGINS: 'https://llm.example.com, https://admin.example.com:8443',
      }).webauthn,
    ).toEqual({ rpId: 'example.com', origins: ['https://llm.example.com', 'https://admin.example.com:8443'] });
    expect(() => testConfig({ PUBLIC_URL: 'https://llm.example.com', WEBAUTHN_ORIGINS: 'https://evil-example.com' })).toThrow(ConfigError);
    expect(() => testConfig({ WEBAUTHN_RP_ID: 'https://example.com' })).toThrow(/WEBAUTHN_RP_ID/);
    expect(() => testConfig({ WEBAUTHN_ORIGINS: '*' })).toThrow(/WEBAUTHN_ORIGINS/);
  });
});

describe('passkey sign-in throttling', () => {
  it('counts failures per credential across client addresses, and audits each', async () => {
    const proxied = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, TRUST_PROXY: 'loopback' } });
    try {
      const credentialId = `cred-${randomUUID()}`;
      const statuses: number[] = [];
      for (let i = 0; i < 14; i++) {
        // A forged assertion for one credential, each time from another address: no challenge matches it.
        const response = await fetch(`${proxied.apiUrl}/api/auth/passkey/verify-authentication`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: ORIGIN,
            'x-portcullis-csrf': '1',
            'x-forwarded-for': `198.51.100.${i + 1}`,
          },
          body: JSON.stringify({
            response: { id: credentialId, rawId: credentialId, type: 'public-key', response: {}, clientExtensionResults: {} },
          }),
        });
        statuses.push(response.status);
        await response.body?.cancel();
      }
      expect(statuses.slice(0, 5).every((s) => s === 400 || s === 401)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
      // Another credential from the same last address is not blocked by the first one's failures.
      const other = await fetch(`${proxied.apiUrl}/api/auth/passkey/verify-authentication`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-portcullis-csrf': '1', 'x-forwarded-for': '198.51.100.14' },
        body: JSON.stringify({ response: { id: `cred-${randomUUID()}`, type: 'public-key', response: {}, clientExtensionResults: {} } }),
      });
      expect(other.status).not.toBe(429);
      const failures = await queryRows<{ n: number }>(
        proxied.runtime.database.db,
        sql`select count(*)::int as n from audit_events where action = 'auth.login_failed' and reason like 'passkey:%'`,
      );
      expect(failures[0]!.n).toBeGreaterThanOrEqual(5);
    } finally {
      await proxied.stop();
    }
  });
});
