import { describe, expect, it } from 'vitest';
import { escapeHtml } from './html.js';
import { extractLinks } from './links.js';
import type { RenderedMail } from './templates.js';
import { invitationMail, newPasskeyMail, newSignInMail, passwordResetMail, twoFactorChangedMail, verificationMail } from './templates.js';

const HOSTILE = `<script>alert("x")</script> & 'friends'`;
const LINK = 'https://portcullis.example/accept-invitation/inv_123?source=mail&step=2';
const EXPIRES = new Date('2026-12-01T09:30:00Z');
const WHEN = new Date('2026-11-28T17:05:42Z');

function expectSelfContainedHtml(mail: RenderedMail): void {
  expect(mail.html).not.toMatch(/<script|<img|<link|<style|<iframe|\bsrc=|url\(/i);
}

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('invitationMail', () => {
  const mail = invitationMail({ orgName: HOSTILE, inviterName: 'Mallory <m@evil.example>', role: 'admin', link: LINK, expiresAt: EXPIRES });

  it('escapes names in the HTML and keeps them verbatim in the text', () => {
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;');
    expect(mail.html).toContain('Mallory &lt;m@evil.example&gt;');
    expect(mail.text).toContain(HOSTILE);
    expect(mail.text).toContain('Mallory <m@evil.example>');
    expectSelfContainedHtml(mail);
  });

  it('puts the link in both parts, on its own line in the text', () => {
    expect(mail.text).toContain(`\n${LINK}\n`);
    expect(extractLinks(mail.text)).toEqual([LINK]);
    expect(mail.html).toContain(`href="${escapeHtml(LINK)}"`);
  });

  it('says who invited whom to what, and until when', () => {
    expect(mail.subject).toBe(`Mallory <m@evil.example> invited you to ${HOSTILE} on Portcullis`);
    expect(mail.text).toContain('as admin');
    expect(mail.text).toContain('2026-12-01 09:30 UTC');
    expect(mail.text).toContain("If you weren't expecting this invitation");
  });

  it('keeps line breaks in names out of the subject and caps their length', () => {
    const long = invitationMail({
      orgName: `Acme\r\nBcc: victim@x.example`,
      inviterName: 'x'.repeat(500),
      role: 'member',
      link: LINK,
      expiresAt: EXPIRES,
    });
    expect(long.subject).not.toMatch(/[\r\n]/);
    expect(long.subject).toContain('Acme Bcc: victim@x.example');
    expect(long.subject.length).toBeLessThan(200);
  });

  it('refuses links that are not http(s)', () => {
    expect(() =>
      invitationMail({ orgName: 'A', inviterName: 'B', role: 'member', link: 'javascript:alert(1)', expiresAt: EXPIRES }),
    ).toThrow(/http\(s\)/);
  });
});

describe.each([
  ['verificationMail', verificationMail, 'Verify your email address for Portcullis'],
  ['passwordResetMail', passwordResetMail, 'Reset your Portcullis password'],
] as const)('%s', (_name, render, subject) => {
  const link = 'https://portcullis.example/reset-password/tok_abc?callbackURL=%2Fdone&x=1';
  const mail = render({ link, expiresAt: EXPIRES });

  it('has the link in both parts and the expiry', () => {
    expect(mail.subject).toBe(subject);
    expect(extractLinks(mail.text)).toEqual([link]);
    expect(mail.html).toContain(`href="${escapeHtml(link)}"`);
    expect(mail.text).toContain('expires on 2026-12-01 09:30 UTC');
    expect(mail.text).toMatch(/If (this wasn't you|you didn't)/);
    expectSelfContainedHtml(mail);
  });
});

describe('security notices', () => {
  it('newPasskeyMail escapes the passkey name and the User-Agent, and says what to do', () => {
    const mail = newPasskeyMail({
      passkeyName: '<b>My key</b>',
      when: WHEN,
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 <x>\nInjected: line',
    });
    expect(mail.html).toContain('&lt;b&gt;My key&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>My key');
    expect(mail.html).toContain('Mozilla/5.0 &lt;x&gt; Injected: line');
    expect(mail.text).toContain('"<b>My key</b>"');
    expect(mail.text).toContain('Browser: Mozilla/5.0 <x> Injected: line');
    expect(mail.text).toContain('IP address: 203.0.113.7');
    expect(mail.text).toContain('When: 2026-11-28 17:05 UTC');
    expect(mail.text).toContain("If this wasn't you");
    expectSelfContainedHtml(mail);
  });

  it('newSignInMail shows the method and "unknown" for a missing origin', () => {
    const mail = newSignInMail({ when: WHEN, ip: null, userAgent: undefined, method: 'passkey' });
    expect(mail.text).toContain('Method: passkey');
    expect(mail.text).toContain('IP address: unknown');
    expect(mail.text).toContain('Browser: unknown');
    expect(mail.text).toContain("If this wasn't you");
    expect(extractLinks(mail.text)).toEqual([]);
  });

  it('twoFactorChangedMail says whether it was turned on or off', () => {
    const on = twoFactorChangedMail({ enabled: true, when: WHEN, ip: '2001:db8::1' });
    const off = twoFactorChangedMail({ enabled: false, when: WHEN });
    expect(on.subject).toBe('Two-factor authentication was turned on for your Portcullis account');
    expect(off.subject).toBe('Two-factor authentication was turned off for your Portcullis account');
    expect(on.text).toContain('IP address: 2001:db8::1');
    expect(off.text).toContain("If this wasn't you");
  });
});
