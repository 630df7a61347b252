// The mails Portcullis sends, as pure functions from data to { subject, text, html }. Rendering
// (escaping, layout, text part) lives in layout.ts; this file only decides what each mail says.
//
// Links carry single-use tokens and expire, so every mail that has one says until when it works.
// Security notices say what happened, when and from where, and what to do if it was not the
// reader: these mails are how someone learns that their account was taken over.
import type { RenderedMail } from './layout.js';
import { PRODUCT_NAME, formatTime, oneLine, renderMail } from './layout.js';

export type { RenderedMail } from './layout.js';

/** Where a request came from; either may be unknown (no proxy header, header stripped). */
type Origin = { ip?: string | null; userAgent?: string | null };

function originDetails({ ip, userAgent }: Origin): [string, string][] {
  return [
    ['IP address', ip ? oneLine(ip, 64) : 'unknown'],
    ['Browser', userAgent ? oneLine(userAgent) : 'unknown'],
  ];
}

const TAKEOVER_ADVICE =
  'someone else may have access to your account. Sign in, change your password, review your passkeys and sessions, and tell your administrator.';

export function invitationMail(input: { orgName: string; inviterName: string; role: string; link: string; expiresAt: Date }): RenderedMail {
  const orgName = oneLine(input.orgName, 100);
  const inviterName = oneLine(input.inviterName, 100);
  return renderMail({
    subject: `${inviterName} invited you to ${orgName} on ${PRODUCT_NAME}`,
    heading: `Join ${orgName} on ${PRODUCT_NAME}`,
    paragraphs: [
      `${inviterName} invited you to join the organisation "${orgName}" as ${oneLine(input.role, 50)}.`,
      `The invitation can be used once and expires on ${formatTime(input.expiresAt)}.`,
    ],
    action: { label: 'Accept the invitation', link: input.link },
    notice: "If you weren't expecting this invitation, you can ignore this email; nothing happens unless you accept it.",
  });
}

export function verificationMail(input: { link: string; expiresAt: Date }): RenderedMail {
  return renderMail({
    subject: `Verify your email address for ${PRODUCT_NAME}`,
    heading: 'Verify your email address',
    paragraphs: [
      `Confirm that this address belongs to you to finish setting up your ${PRODUCT_NAME} account.`,
      `The link can be used once and expires on ${formatTime(input.expiresAt)}.`,
    ],
    action: { label: 'Verify email address', link: input.link },
    notice: `If you didn't create a ${PRODUCT_NAME} account or change your email address, you can ignore this email.`,
  });
}

export function passwordResetMail(input: { link: string; expiresAt: Date }): RenderedMail {
  return renderMail({
    subject: `Reset your ${PRODUCT_NAME} password`,
    heading: 'Reset your password',
    paragraphs: [
      'Someone asked to reset the password of your account. Choose a new password with the link below.',
      `The link can be used once and expires on ${formatTime(input.expiresAt)}.`,
    ],
    action: { label: 'Choose a new password', link: input.link },
    notice: "If this wasn't you, ignore this email: your password stays unchanged. If it keeps happening, tell your administrator.",
  });
}

export function newPasskeyMail(input: { passkeyName: string; when: Date } & Origin): RenderedMail {
  return renderMail({
    subject: `A passkey was added to your ${PRODUCT_NAME} account`,
    heading: 'New passkey added',
    paragraphs: [`A passkey named "${oneLine(input.passkeyName, 100)}" was added to your account. It can now be used to sign in.`],
    details: [['When', formatTime(input.when)], ...originDetails(input)],
    notice: `If this wasn't you, ${TAKEOVER_ADVICE} Remove the passkey you don't recognise.`,
  });
}

export function newSignInMail(input: { when: Date; method: string } & Origin): RenderedMail {
  return renderMail({
    subject: `New sign-in to your ${PRODUCT_NAME} account`,
    heading: 'New sign-in',
    paragraphs: ['Someone just signed in to your account.'],
    details: [['When', formatTime(input.when)], ['Method', oneLine(input.method, 50)], ...originDetails(input)],
    notice: `If this wasn't you, ${TAKEOVER_ADVICE}`,
  });
}

export function twoFactorChangedMail(input: { enabled: boolean; when: Date; ip?: string | null }): RenderedMail {
  const what = input.enabled ? 'turned on' : 'turned off';
  return renderMail({
    subject: `Two-factor authentication was ${what} for your ${PRODUCT_NAME} account`,
    heading: `Two-factor authentication ${what}`,
    paragraphs: [
      input.enabled
        ? 'Two-factor authentication is now required when you sign in with your password.'
        : 'Your account no longer asks for a second factor when you sign in with your password.',
    ],
    details: [
      ['When', formatTime(input.when)],
      ['IP address', input.ip ? oneLine(input.ip, 64) : 'unknown'],
    ],
    notice: `If this wasn't you, ${TAKEOVER_ADVICE}`,
  });
}

/** What each security-alert rule says happened (alerts/payload.ts names the rules). */
const SECURITY_ALERT_SUMMARIES: Record<string, string> = {
  failed_logins: 'Sign-in attempts to accounts of members of this organisation keep failing.',
  guardrail_block_burst: 'The gateway blocked an unusual number of requests or answers of this organisation with its guardrails.',
  new_api_key_network: 'An API key of this organisation was used from a network it has not been used from in the last 30 days.',
  admin_granted: 'Someone was given administrator rights over this organisation.',
};

/**
 * A security alert for the addresses an org configured. Facts only (ids, counts, addresses): the
 * reader follows up in the dashboard and the audit trail, where the alert is recorded by its id.
 */
export function securityAlertMail(input: {
  orgName: string;
  rule: string;
  alertId: string;
  when: Date;
  details: Record<string, string | number | null>;
}): RenderedMail {
  const orgName = oneLine(input.orgName, 100);
  const facts = Object.entries(input.details).map(([name, value]): [string, string] => [
    oneLine(name.replace(/_/g, ' '), 50),
    value === null ? 'unknown' : oneLine(String(value), 200),
  ]);
  return renderMail({
    subject: `Security alert for ${orgName} on ${PRODUCT_NAME}: ${oneLine(input.rule.replace(/_/g, ' '), 50)}`,
    heading: 'Security alert',
    paragraphs: [SECURITY_ALERT_SUMMARIES[input.rule] ?? `The rule "${oneLine(input.rule, 50)}" fired.`],
    details: [['Organisation', orgName], ['When', formatTime(input.when)], ['Alert id', input.alertId], ...facts],
    notice:
      'You receive this because your address is listed for security alerts of this organisation. Review the audit trail; ' +
      'if this activity is not expected, revoke the keys or access involved.',
  });
}
