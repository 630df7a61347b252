/**
 * Rotating AUTH_SECRET, over real HTTP: servers on one database, started with the original
 * secret, with a new one alone, and with the new one plus the old one in AUTH_SECRET_PREVIOUS.
 * Two-factor secrets (encrypted by better-auth) and recovery codes (keyed hashes) were made with
 * the old secret: without AUTH_SECRET_PREVIOUS their owners are locked out; with it they sign in;
 * after `keys rotate-auth-secret` two-factor needs the old secret no more.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseChecks } from '../src/config/doctor-database-checks.js';
import { loadConfig } from '../src/config/load.js';
import { randomTokenBase64Url } from '../src/crypto/random.js';
import { queryRows } from '../src/db/rows.js';
import { users } from '../src/db/schema/index.js';
import { reencryptUnderCurrentAuthSecret } from '../src/identity/auth-secret-rotation.js';
import { generateRecoveryCodes, recoveryCodeHasher } from '../src/identity/recovery-codes.js';
import { operatorCtx } from './support/api.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { unusedTotp } from './support/totp.js';
import { cookieBrowser, enableTwoFactor } from './support/two-factor.js';

const ORIGIN = 'https://portcullis.example.test';
const NEW_SECRET = randomTokenBase64Url(48);

let original: TestServer;
/** The new secret alone: what an operator gets who rotates without AUTH_SECRET_PREVIOUS. */
let newOnly: TestServer;
/** The new secret, with the original in AUTH_SECRET_PREVIOUS. */
let withPrevious: TestServer;

beforeAll(async () => {
  // Its own database on PostgreSQL too: the rotation reads every two-factor row there is.
  original = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN }, isolatedDatabase: true });
  const rotated = (env: Record<string, string>) =>
    startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, AUTH_SECRET: NEW_SECRET, ...env }, shareDatabaseWith: original });
  newOnly = await rotated({});
  withPrevious = await rotated({ AUTH_SECRET_PREVIOUS: original.runtime.secrets.authSecret });
}, 120_000);
afterAll(async () => {
  await withPrevious?.stop();
  await newOnly?.stop();
  await original?.stop();
});

/** Password, then a TOTP code, on `target`: the second step's status and whether a session came of it. */
async function signInWithTotp(target: TestServer, user: { email: string; password: string }, uri: string) {
  const b = cookieBrowser(target, ORIGIN);
  const first = await b.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
  expect(first.body).toEqual({ twoFactorRequired: true, methods: ['totp'] });
  const second = await b.call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri) });
  return { status: second.status, signedIn: (await b.call('GET', '/api/me')).status === 200 };
}

async function passwordlessUserWithCodes(): Promise<{ email: string; codes: string[] }> {
  const id = randomUUID();
  const email = `${uniqueName('pk')}@example.test`;
  await original.runtime.apiDb.withRole((tx) => tx.insert(users).values({ id, email, name: 'Passkey User', emailVerified: true }));
  const codes = await generateRecoveryCodes(
    original.runtime.apiDb,
    recoveryCodeHasher(original.runtime.secrets.authSecret),
    id,
    operatorCtx,
  );
  return { email, codes };
}

const recoveryCodeSignIn = async (target: TestServer, email: string, code: string) =>
  (await cookieBrowser(target, ORIGIN).call('POST', '/api/auth/sign-in/recovery-code', { email, code })).status;

describe('rotating AUTH_SECRET', () => {
  it('locks two-factor and recovery-code users out without AUTH_SECRET_PREVIOUS, and lets them in with it', async () => {
    const locked = await enableTwoFactor(original, ORIGIN);
    const kept = await enableTwoFactor(original, ORIGIN);
    const passkeyUser = await passwordlessUserWithCodes();

    const refused = await signInWithTotp(newOnly, locked.user, locked.uri);
    expect(refused.status).toBe(500);
    expect(refused.signedIn).toBe(false);
    expect(newOnly.logLines.some((line) => line.includes('belongs in AUTH_SECRET_PREVIOUS'))).toBe(true);
    expect(await recoveryCodeSignIn(newOnly, passkeyUser.email, passkeyUser.codes[0]!)).toBe(401);

    expect(await signInWithTotp(withPrevious, kept.user, kept.uri)).toEqual({ status: 200, signedIn: true });
    expect(await recoveryCodeSignIn(withPrevious, passkeyUser.email, passkeyUser.codes[1]!)).toBe(200);
  });

  it('is checked by doctor: setups no listed secret opens, and setups still under AUTH_SECRET_PREVIOUS', async () => {
    const checks = async (target: TestServer) =>
      Object.fromEntries(
        (
          await databaseChecks(
            target.runtime.database,
            { databaseUrl: undefined, production: false },
            {
              current: target.runtime.secrets.authSecret,
              previous: target.runtime.secrets.previousAuthSecrets,
            },
          )
        ).map((check) => [check.id, check]),
      );
    const before = await checks(newOnly);
    expect(before['two-factor-secrets-readable']).toMatchObject({
      ok: false,
      level: 'required',
      detail: expect.stringMatching(/^2 of 2 open under no listed secret/),
    });
    expect(before['two-factor-secrets-current']).toBeUndefined();
    const listed = await checks(withPrevious);
    expect(listed['two-factor-secrets-readable']).toMatchObject({ ok: true });
    expect(listed['two-factor-secrets-current']).toMatchObject({
      ok: false,
      detail: '2 still under AUTH_SECRET_PREVIOUS',
      fix: 'run `portcullis keys rotate-auth-secret`',
    });
  });

  it('re-encrypts two-factor secrets under the new secret (keys rotate-auth-secret), after which the old one is not needed for them', async () => {
    const user = await enableTwoFactor(original, ORIGIN);
    const stored = () =>
      queryRows<{ secret: string; backup_codes: string }>(
        original.runtime.database.db,
        sql`select secret, backup_codes from two_factors where user_id = ${user.user.id}`,
      );
    const [before] = await stored();

    const secrets = { current: NEW_SECRET, previous: [original.runtime.secrets.authSecret] };
    const summary = await reencryptUnderCurrentAuthSecret(withPrevious.runtime.apiDb, secrets, operatorCtx);
    expect(summary.unreadable).toBe(0);
    expect(summary).toEqual({ twoFactors: 3, reencrypted: 3, alreadyCurrent: 0, unreadable: 0 });
    const [after] = await stored();
    expect(after!.secret).not.toBe(before!.secret);
    expect(after!.backup_codes).not.toBe(before!.backup_codes);

    expect(await signInWithTotp(newOnly, user.user, user.uri)).toEqual({ status: 200, signedIn: true });
    // A second run finds nothing to do.
    const again = await reencryptUnderCurrentAuthSecret(withPrevious.runtime.apiDb, secrets, operatorCtx);
    expect(again).toEqual({ twoFactors: 3, reencrypted: 0, alreadyCurrent: 3, unreadable: 0 });

    const [event] = await queryRows<{ diff: Record<string, number>; outcome: string }>(
      original.runtime.database.db,
      sql`select diff, outcome from audit_events where org_id is null and action = 'instance.auth_secret_rotated' order by seq limit 1`,
    );
    expect(event).toEqual({ outcome: 'success', diff: { ...summary, previousSecrets: 1 } });
    expect(JSON.stringify(event)).not.toContain(NEW_SECRET);
  });

  it('counts what no listed secret opens, and leaves it as it is', async () => {
    const user = await enableTwoFactor(original, ORIGIN);
    const stranger = { current: randomTokenBase64Url(48), previous: [] };
    const summary = await reencryptUnderCurrentAuthSecret(original.runtime.apiDb, stranger, operatorCtx);
    expect(summary).toMatchObject({ reencrypted: 0, unreadable: summary.twoFactors });
    expect(await signInWithTotp(original, user.user, user.uri)).toEqual({ status: 200, signedIn: true });
  });
});

describe('AUTH_SECRET_PREVIOUS', () => {
  const load = (previous: string) => () => loadConfig({ env: { AUTH_SECRET: NEW_SECRET, AUTH_SECRET_PREVIOUS: previous } });

  it('is refused when an entry is short, repeats AUTH_SECRET or is listed twice, never quoting a value', () => {
    const old = randomTokenBase64Url(48);
    for (const [value, problem] of [
      ['too-short', 'AUTH_SECRET_PREVIOUS (entry 1): expected at least 32 characters'],
      [`${old}, ${NEW_SECRET}`, 'AUTH_SECRET_PREVIOUS (entry 2): this is AUTH_SECRET itself'],
      [`${old},${old}`, 'AUTH_SECRET_PREVIOUS (entry 2): listed twice'],
    ] as const) {
      let message = '';
      try {
        load(value)();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(problem);
      expect(message).not.toContain(old);
      expect(message).not.toContain(NEW_SECRET);
    }
    expect(load(`${old} , ${randomTokenBase64Url(48)}`)().previousAuthSecrets).toHaveLength(2);
  });
});
