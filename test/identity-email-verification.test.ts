/**
 * Email verification by emailed link over real HTTP and SMTP: the mail and its link, single use,
 * expiry, unknown tokens, an address changed since, already verified, throttling, hashed storage,
 * CSRF, audit, the function other flows call, 503 without SMTP in production, and account linking
 * with a sign-in provider allowed only once the address is verified.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { emailVerificationTokenHasher, sendVerificationMail } from '../src/identity/email-verification.js';
import { startFakeOidc, type FakeOidc } from './fakes/oidc.js';
import { startFakeSmtp, type FakeSmtp } from './fakes/smtp.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { CSRF, createPasswordUser, sessionClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

let server: TestServer;
let smtp: FakeSmtp;
let nextAddress = 1;

/** A fresh client address per test (TRUST_PROXY=loopback), so per-address budgets do not leak between tests. */
function freshIp(): string {
  nextAddress += 1;
  return `198.18.${Math.floor(nextAddress / 250)}.${nextAddress % 250}`;
}

beforeAll(async () => {
  smtp = await startFakeSmtp();
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url, TRUST_PROXY: 'loopback' } });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

/** A signed-in user whose address is not verified yet, calling from `ip`. */
async function unverifiedUser(ip = freshIp()) {
  const user = await createPasswordUser(server);
  await server.runtime.database.db.execute(sql`update users set email_verified = false where id = ${user.id}`);
  const session = await signIn(server, user.email, user.password, { origin: ORIGIN, headers: { 'x-forwarded-for': ip } });
  const call = sessionClient(server, session.cookie!, ORIGIN);
  return {
    ...user,
    ip,
    requestLink: () =>
      call<{ message: string; expiresAt: string }>('POST', '/api/me/email-verification', undefined, { 'x-forwarded-for': ip }),
    call,
  };
}

async function verify(token: unknown, options: { ip?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${server.apiUrl}/api/auth/verify-email`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ORIGIN,
      ...CSRF,
      'x-forwarded-for': options.ip ?? freshIp(),
      ...options.headers,
    },
    body: JSON.stringify({ token }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const errorCode = (body: Record<string, unknown> | undefined) => (body?.error as { code?: string } | undefined)?.code;

async function tokenFromMail(email: string): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Verify your email address'));
  const link = mail.links.find((l) => l.startsWith(`${ORIGIN}/verify-email#token=`));
  expect(link).toBeDefined();
  expect(mail.html).toContain('/verify-email#token=');
  return decodeURIComponent(link!.split('#token=')[1]!);
}

async function isVerified(userId: string): Promise<boolean> {
  const [row] = await queryRows<{ email_verified: boolean }>(
    server.runtime.database.db,
    sql`select email_verified from users where id = ${userId}`,
  );
  return row!.email_verified;
}

describe('email verification', () => {
  it('mails a single-use link stored only hashed; verifying marks the address verified, once, audited', async () => {
    const user = await unverifiedUser();
    const sent = await user.requestLink();
    expect(sent.status).toBe(200);
    expect(sent.body.message).toContain(user.email);
    expect(Date.parse(sent.body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    const token = await tokenFromMail(user.email);

    const rows = await queryRows<{ identifier: string; value: string }>(
      server.runtime.database.db,
      sql`select identifier, value from verifications`,
    );
    expect(JSON.stringify(rows)).not.toContain(token);
    const hashed = emailVerificationTokenHasher(server.runtime.secrets.authSecret)(token);
    expect(rows.some((r) => r.identifier === hashed)).toBe(true);

    expect(await isVerified(user.id)).toBe(false);
    const first = await verify(token);
    expect(first).toEqual({ status: 200, body: { verified: true } });
    expect(await isVerified(user.id)).toBe(true);

    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(errorCode(again.body)).toBe('invalid_token');

    const events = await queryRows<{ action: string; actor_id: string | null }>(
      server.runtime.database.db,
      sql`select action, actor_id from audit_events where org_id is null and target_id = ${user.id} and action like 'auth.email_verifi%' order by occurred_at`,
    );
    expect(events).toEqual([
      { action: 'auth.email_verification_sent', actor_id: user.id },
      { action: 'auth.email_verified', actor_id: user.id },
    ]);
  });

  it('answers 409 already_verified when there is nothing to verify', async () => {
    const user = await createPasswordUser(server);
    const session = await signIn(server, user.email, user.password, { origin: ORIGIN, headers: { 'x-forwarded-for': freshIp() } });
    const response = await sessionClient(server, session.cookie!, ORIGIN)('POST', '/api/me/email-verification');
    expect(response.status).toBe(409);
    expect(response.error?.code).toBe('already_verified');
  });

  it('needs a session to send a link', async () => {
    const response = await fetch(`${server.apiUrl}/api/me/email-verification`, { method: 'POST', headers: { origin: ORIGIN, ...CSRF } });
    expect(response.status).toBe(401);
  });

  it('refuses an expired link, an unknown or malformed token, and a link for an address the account no longer has', async () => {
    const expired = await unverifiedUser();
    expect((await expired.requestLink()).status).toBe(200);
    const expiredToken = await tokenFromMail(expired.email);
    const hash = emailVerificationTokenHasher(server.runtime.secrets.authSecret);
    await server.runtime.database.db.execute(
      sql`update verifications set expires_at = now() - interval '1 second' where identifier = ${hash(expiredToken)}`,
    );
    const late = await verify(expiredToken);
    expect(late.status).toBe(400);
    expect(errorCode(late.body)).toBe('invalid_token');
    expect(await isVerified(expired.id)).toBe(false);

    const unknown = await verify('not-a-token-we-ever-issued');
    expect(unknown.status).toBe(400);
    expect(errorCode(unknown.body)).toBe('invalid_token');
    expect((await verify('')).status).toBe(400);
    expect((await verify(42)).status).toBe(400);

    const moved = await unverifiedUser();
    expect((await moved.requestLink()).status).toBe(200);
    const movedToken = await tokenFromMail(moved.email);
    await server.runtime.database.db.execute(sql`update users set email = ${`${uniqueName('moved')}@example.test`} where id = ${moved.id}`);
    const stale = await verify(movedToken);
    expect(stale.status).toBe(400);
    expect(errorCode(stale.body)).toBe('invalid_token');
    expect(await isVerified(moved.id)).toBe(false);
  });

  it('throttles links per user and token checks per address with 429', async () => {
    const user = await unverifiedUser();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await user.requestLink()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    const ip = freshIp();
    let last = 400;
    for (let i = 0; i < 25 && last !== 429; i++) last = (await verify(`guess-${i}`, { ip })).status;
    expect(last).toBe(429);
    // Another address is not affected.
    expect((await verify('guess-elsewhere')).status).toBe(400);
  });

  it('applies the CSRF rules of the other /api/auth endpoints', async () => {
    const noHeader = await verify('anything', { headers: { 'x-portcullis-csrf': '' } });
    expect(noHeader.status).toBe(403);
    expect(errorCode(noHeader.body)).toBe('csrf_rejected');
    const foreign = await verify('anything', { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(errorCode(foreign.body)).toBe('csrf_rejected');
  });

  it('does not serve better-auth’s own JWT verification endpoints', async () => {
    expect((await fetch(`${server.apiUrl}/api/auth/verify-email?token=x`)).status).toBe(404);
    const send = await fetch(`${server.apiUrl}/api/auth/send-verification-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...CSRF },
      body: JSON.stringify({ email: 'someone@example.test' }),
    });
    expect(send.status).toBe(404);
  });

  it('sendVerificationMail (for flows that create accounts) issues a working link', async () => {
    const user = await createPasswordUser(server);
    await server.runtime.database.db.execute(sql`update users set email_verified = false where id = ${user.id}`);
    await sendVerificationMail(
      {
        db: server.runtime.apiDb,
        mailer: server.runtime.mailer,
        publicUrl: ORIGIN,
        authSecret: server.runtime.secrets.authSecret,
        logger: server.runtime.logger,
      },
      { id: user.id, email: user.email },
    );
    const token = await tokenFromMail(user.email);
    expect((await verify(token)).status).toBe(200);
    expect(await isVerified(user.id)).toBe(true);
  });
});

describe('email verification without SMTP in production', () => {
  let production: TestServer;
  beforeAll(async () => {
    production = await startTestServer({ services: ['api'], env: { NODE_ENV: 'production', PUBLIC_URL: ORIGIN, TRUST_PROXY: 'loopback' } });
  }, 60_000);
  afterAll(async () => production?.stop());

  it('answers 503 email_not_configured', async () => {
    const user = await createPasswordUser(production);
    await production.runtime.database.db.execute(sql`update users set email_verified = false where id = ${user.id}`);
    const session = await signIn(production, user.email, user.password, { origin: ORIGIN, headers: { 'x-forwarded-proto': 'https' } });
    expect(session.cookie).toBeDefined();
    const response = await sessionClient(production, session.cookie!, ORIGIN)('POST', '/api/me/email-verification');
    expect(response.status).toBe(503);
    expect(response.error?.code).toBe('email_not_configured');
  });
});

describe('account linking needs a verified address', () => {
  let google: FakeOidc;
  let linking: TestServer;
  beforeAll(async () => {
    google = await startFakeOidc({ clientId: 'google-client', clientSecret: 'google-secret', hostedDomainClaim: true });
    linking = await startTestServer({
      services: ['api'],
      env: {
        PUBLIC_URL: ORIGIN,
        SMTP_URL: smtp.url,
        GOOGLE_CLIENT_ID: google.clientId,
        GOOGLE_CLIENT_SECRET: google.clientSecret,
        GOOGLE_ISSUER: google.issuer,
        GOOGLE_ALLOWED_DOMAINS: 'example.test',
        TRUST_PROXY: 'loopback',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await linking?.stop();
    await google?.stop();
  });

  type Jar = Map<string, string>;
  const cookieHeader = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  function keep(jar: Jar, response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      if (pair!.slice(at + 1) === '' || /max-age=0/i.test(line)) jar.delete(pair!.slice(0, at));
      else jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  }

  /** The sign-in page's Google flow, redirects followed by hand; the session cookie if one was set. */
  async function signInWithGoogle(ip = '127.0.0.1'): Promise<{ final: URL; session: string | undefined }> {
    const jar: Jar = new Map();
    const begin = await fetch(`${linking.apiUrl}/api/auth/sign-in/social`, {
      method: 'POST',
      headers: { ...CSRF, origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'google', callbackURL: '/sign-in', errorCallbackURL: '/sign-in/error' }),
    });
    expect(begin.status).toBe(200);
    keep(jar, begin);
    let url = ((await begin.json()) as { url: string }).url;
    for (let hop = 0; hop < 10; hop++) {
      const ours = url.startsWith(ORIGIN);
      const response = await fetch(ours ? linking.apiUrl + url.slice(ORIGIN.length) : url, {
        redirect: 'manual',
        headers: ours ? { cookie: cookieHeader(jar), 'x-forwarded-for': ip } : {},
      });
      if (ours) keep(jar, response);
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (response.status < 300 || response.status >= 400 || !location) break;
      url = new URL(location, url).toString();
      if (url.startsWith(`${ORIGIN}/sign-in`)) break;
    }
    return { final: new URL(url), session: jar.get('portcullis.session_token') };
  }

  it('refuses to link a provider account to an unverified address, and links it once verified', async () => {
    const user = await createPasswordUser(linking);
    await linking.runtime.database.db.execute(sql`update users set email_verified = false where id = ${user.id}`);
    google.setNextUser({ sub: `g-${user.id}`, email: user.email, email_verified: true, hd: 'example.test', name: 'G User' });
    const refused = await signInWithGoogle();
    expect(refused.session).toBeUndefined();
    expect(refused.final.searchParams.get('error')).toBeTruthy();

    const session = await signIn(linking, user.email, user.password, { origin: ORIGIN });
    const sent = await sessionClient(linking, session.cookie!, ORIGIN)('POST', '/api/me/email-verification');
    expect(sent.status).toBe(200);
    const mail = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.startsWith('Verify your email address'));
    const token = decodeURIComponent(mail.links.find((l) => l.includes('/verify-email#token='))!.split('#token=')[1]!);
    const verified = await fetch(`${linking.apiUrl}/api/auth/verify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...CSRF },
      body: JSON.stringify({ token }),
    });
    expect(verified.status).toBe(200);

    google.setNextUser({ sub: `g-${user.id}`, email: user.email, email_verified: true, hd: 'example.test', name: 'G User' });
    const linked = await signInWithGoogle('198.51.100.61');
    expect(linked.final.searchParams.get('error')).toBeNull();
    expect(linked.session).toBeDefined();
    const me = await fetch(`${linking.apiUrl}/api/me`, { headers: { cookie: `portcullis.session_token=${linked.session!}` } });
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe(user.id);
    // From a new address: the new-sign-in notice names the provider (security-notices.ts).
    const notice = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('New sign-in'));
    expect(notice.text).toContain('Single sign-on (google)');
    expect(notice.text).toContain('198.51.100.61');
  });
});
