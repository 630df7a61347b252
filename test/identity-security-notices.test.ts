/**
 * Security notices over real HTTP and SMTP: a sign-in from a new network and browser (not on the
 * first sign-in, not again from a known one, whatever the sign-in method), two-factor turned on and
 * off, and a new passkey. Addresses are set with X-Forwarded-For (TRUST_PROXY=loopback).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { createIdentity } from '../src/identity/auth.js';
import { runWithIdentityContext } from '../src/identity/request-context.js';
import { browserOf, networkOf } from '../src/identity/security-notices.js';
import { startFakeSmtp, type FakeSmtp, type ReceivedMail } from './fakes/smtp.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser } from './support/sessions.js';
import { unusedTotp } from './support/totp.js';
import { cookieBrowser } from './support/two-factor.js';

const ORIGIN = 'https://portcullis.example.test';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const FIREFOX_UPDATED = 'Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0';
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

let server: TestServer;
let smtp: FakeSmtp;

beforeAll(async () => {
  smtp = await startFakeSmtp();
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url, TRUST_PROXY: 'loopback' } });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

/** A browser-like cookie jar at one address with one user agent. */
const browser = (ip: string, userAgent: string) => cookieBrowser(server, ORIGIN, { 'x-forwarded-for': ip, 'user-agent': userAgent });

const mailsTo = (email: string, subject: string) => smtp.messages.filter((m) => m.to.includes(email) && m.subject.includes(subject));
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

async function signInFrom(user: { email: string; password: string }, ip: string, userAgent: string) {
  const b = browser(ip, userAgent);
  const response = await b.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
  expect(response.status).toBe(200);
  return b;
}

describe('new sign-in location', () => {
  it('says nothing on the first sign-in, nor from a known network and browser; mails for a new one', async () => {
    const user = await createPasswordUser(server);
    await signInFrom(user, '203.0.113.10', FIREFOX);
    // Same /24, the same browser after an update: a known location.
    await signInFrom(user, '203.0.113.77', FIREFOX_UPDATED);
    await settle();
    expect(mailsTo(user.email, 'New sign-in')).toHaveLength(0);

    await signInFrom(user, '198.51.100.7', FIREFOX);
    const mail = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('New sign-in'));
    expect(mail.text).toContain('198.51.100.7');
    expect(mail.text).toContain('Password');
    expect(mail.text).toContain('Firefox');

    // A known network with another browser is new too; once known, it is quiet again.
    await signInFrom(user, '203.0.113.10', SAFARI);
    await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('New sign-in') && m.text.includes('Safari'));
    await signInFrom(user, '203.0.113.10', SAFARI);
    await signInFrom(user, '198.51.100.7', FIREFOX);
    await settle();
    expect(mailsTo(user.email, 'New sign-in')).toHaveLength(2);

    // Remembered across session expiry: not in the sessions table, and addresses are not stored in clear.
    await server.runtime.database.db.execute(sql`delete from sessions where user_id = ${user.id}`);
    await signInFrom(user, '198.51.100.8', FIREFOX);
    await settle();
    expect(mailsTo(user.email, 'New sign-in')).toHaveLength(2);
    const rows = await queryRows<{ value: string }>(
      server.runtime.database.db,
      sql`select value from verifications where identifier = ${`sign-in-locations:${user.id}`}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.value).not.toMatch(/198\.51|203\.0|Firefox|Safari/);
  });

  it('groups addresses by IPv4 /24 and IPv6 /64, and ignores browser version numbers', () => {
    expect(networkOf('203.0.113.77')).toBe(networkOf('203.0.113.1'));
    expect(networkOf('203.0.114.1')).not.toBe(networkOf('203.0.113.1'));
    expect(networkOf('::ffff:203.0.113.9')).toBe(networkOf('203.0.113.1'));
    expect(networkOf('2001:db8:1:2:aaaa::1')).toBe(networkOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(networkOf('2001:db8:1:3::1')).not.toBe(networkOf('2001:db8:1:2::1'));
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf(null)).toBe('unknown');
    expect(browserOf(FIREFOX)).toBe(browserOf(FIREFOX_UPDATED));
    expect(browserOf(FIREFOX)).not.toBe(browserOf(SAFARI));
  });
});

describe('two-factor notices', () => {
  it('mails when two-factor is turned on and off; the second-factor sign-in from a new place is one notice', async () => {
    const user = await createPasswordUser(server);
    const b = await signInFrom(user, '192.0.2.10', FIREFOX);
    const enabled = await b.call('POST', '/api/auth/two-factor/enable', { password: user.password });
    expect(enabled.status).toBe(200);
    const uri = enabled.body!.totpURI as string;
    expect((await b.call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri) })).status).toBe(200);
    const on = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('Two-factor authentication was turned on'));
    expect(on.text).toContain('192.0.2.10');

    // Password, then code, from a new place: one notice, naming both factors (the first-factor session is no sign-in).
    const elsewhere = browser('198.51.100.200', SAFARI);
    const first = await elsewhere.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
    expect(first.body).toEqual({ twoFactorRequired: true, methods: ['totp'] });
    await settle();
    expect(mailsTo(user.email, 'New sign-in')).toHaveLength(0);
    expect((await elsewhere.call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri) })).status).toBe(200);
    const signInMail = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('New sign-in'));
    expect(signInMail.text).toContain('Password and authenticator code');
    await settle();
    expect(mailsTo(user.email, 'New sign-in')).toHaveLength(1);

    // Turning it on and off replaces the session: that is no sign-in either.
    expect((await b.call('POST', '/api/auth/two-factor/disable', { password: user.password })).status).toBe(200);
    const off = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('Two-factor authentication was turned off'));
    expect(off.text).toContain("If this wasn't you");
    await settle();
    expect(mailsTo(user.email, 'New sign-in')).toHaveLength(1);
  });
});

describe('passkey notice', () => {
  it('mails when a passkey is stored through better-auth’s adapter (what verify-registration does)', async () => {
    const user = await createPasswordUser(server);
    // The same identity wiring the api uses, on this server's database and mailer: the WebAuthn
    // ceremony itself needs a browser (test/browser/passkeys.test.ts); storing is what notifies.
    const identity = createIdentity({
      config: server.runtime.config,
      authSecret: server.runtime.secrets.authSecret,
      db: server.runtime.apiDb,
      logger: server.runtime.logger,
      mailer: server.runtime.mailer,
    });
    const { adapter } = await identity.secure.$context;
    await runWithIdentityContext({ clientIp: '203.0.113.44', userAgent: SAFARI, requestId: null }, () =>
      adapter.create({
        model: 'passkey',
        data: {
          name: 'Work laptop',
          publicKey: 'pQECAyYgASFYIA',
          userId: user.id,
          credentialID: randomUUID(),
          counter: 0,
          deviceType: 'multiDevice',
          backedUp: true,
          transports: 'internal',
          createdAt: new Date(),
        },
      }),
    );
    const mail: ReceivedMail = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('A passkey was added'));
    expect(mail.text).toContain('Work laptop');
    expect(mail.text).toContain('203.0.113.44');
    expect(mail.html).toContain('Work laptop');
  });
});
