/** Data map of better-auth's tables (src/db/schema/auth.ts): people and how they sign in. */
import { accounts, passkeys, sessions, twoFactors, users, verifications } from '../../db/schema/index.js';
import { common, describeTable } from './describe.js';

const accountDeletion =
  'There is no self-service account deletion yet (better-auth’s /delete-user is closed); deleting a users row cascades here.';

export const authTables = [
  describeTable(users, {
    purpose: 'The accounts of the people who administer and use the instance: sign-in, org membership, mail about their account.',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention:
      'As long as the account exists. There is no self-service account deletion yet (better-auth’s /delete-user is closed): the operator deletes the row, which cascades to sessions, accounts, passkeys, two-factor, memberships and instance-admin rights.',
    columns: {
      id: {
        category: 'identifier',
        personalData: true,
        description: 'Random user id; the person’s pseudonym in members, sessions and audit events (actor_id).',
      },
      name: { category: 'personal', personalData: true, description: 'Display name, as entered or as given by the sign-in provider.' },
      email: { category: 'personal', personalData: true, description: 'Email address: the sign-in name and where account mail goes.' },
      email_verified: common.operational('Whether the address was confirmed by an emailed link or a sign-in provider.', true),
      image: { category: 'personal', personalData: true, description: 'Avatar URL given by a sign-in provider, if any.' },
      two_factor_enabled: common.operational('Whether TOTP two-factor is on.', true),
      created_at: common.createdAt(true),
      updated_at: common.updatedAt(true),
    },
  }),
  describeTable(sessions, {
    purpose: 'Signed-in browser sessions of the management UI and api.',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention:
      'Deleted at sign-out, on revocation (by the user, a password reset or a membership change) and when found expired; an absolute maximum age (SESSION_MAX_AGE) applies however active the session is. No scheduled sweep of expired rows yet.',
    columns: {
      id: common.rowId('session'),
      expires_at: common.time('When the session ends unless used again (sliding expiry).', true),
      token: {
        category: 'credential_secret',
        personalData: false,
        description: 'HMAC-SHA256 of the session cookie under a key derived from AUTH_SECRET; the cookie itself is never stored.',
      },
      ip_address: {
        category: 'personal',
        personalData: true,
        description: 'Client IP address at sign-in, shown to the user in their session list.',
      },
      user_agent: {
        category: 'personal',
        personalData: true,
        description: 'Client user agent at sign-in, shown to the user in their session list.',
      },
      user_id: common.userId(),
      created_at: common.createdAt(true),
      updated_at: common.time('Last activity (to within better-auth’s update age).', true),
    },
  }),
  describeTable(accounts, {
    purpose: 'How a user signs in: a password, or a link to a sign-in provider (GitHub, Google, OpenID Connect).',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention: `As long as the account exists. ${accountDeletion}`,
    columns: {
      id: common.rowId('sign-in method'),
      account_id: {
        category: 'personal',
        personalData: true,
        description: 'The person’s id at the sign-in provider (the user id for passwords).',
      },
      provider_id: common.operational('`credential` (password) or the sign-in provider’s id.', true),
      user_id: common.userId(),
      access_token: {
        category: 'credential_secret',
        personalData: false,
        description:
          'Sign-in provider access token, stored encrypted by better-auth (encryptOAuthTokens) under a key derived from AUTH_SECRET.',
      },
      refresh_token: {
        category: 'credential_secret',
        personalData: false,
        description: 'Sign-in provider refresh token, stored encrypted like access_token.',
      },
      id_token: {
        category: 'credential_secret',
        personalData: true,
        description: 'OpenID Connect ID token (claims such as name and email), stored encrypted like access_token.',
      },
      access_token_expires_at: common.time('When the provider access token expires.'),
      refresh_token_expires_at: common.time('When the provider refresh token expires.'),
      scope: common.operational('Scopes granted by the sign-in provider.'),
      password: {
        category: 'credential_secret',
        personalData: false,
        description: 'scrypt hash of the password (better-auth); never the password.',
      },
      created_at: common.createdAt(true),
      updated_at: common.updatedAt(true),
    },
  }),
  describeTable(verifications, {
    purpose:
      'Short-lived and per-account security records: email verification and password reset links, passkey recovery codes, and the sign-in locations that decide when to send a new-location notice.',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention:
      'Email verification links: 24 hours, deleted when used (expired ones are swept when a new link is issued). Password reset links: 1 hour, deleted when used. Recovery codes: until used or replaced. Sign-in locations: as long as the account (at most 50 per account, least recently used dropped).',
    columns: {
      id: common.rowId('record'),
      identifier: {
        category: 'pseudonymous',
        personalData: true,
        description:
          'Kind and key of the record: `email-verification:<keyed hash of the token>`, `recovery-code:<user id>`, `sign-in-locations:<user id>`, or better-auth’s hashed reset-token identifier.',
      },
      value: {
        category: 'personal',
        personalData: true,
        description:
          'Email verification: the user id and the address the link was sent to (in clear). Recovery code: HMAC of the code. Sign-in locations: keyed hashes of network and browser with last-seen times. Password reset: the user id.',
      },
      expires_at: common.time('When the record stops being valid.'),
      created_at: common.createdAt(true),
      updated_at: common.time('When the record last changed (for sign-in locations: the latest sign-in).', true),
    },
  }),
  describeTable(passkeys, {
    purpose: 'WebAuthn passkeys a user signs in with.',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention: `Until the user removes the passkey or the account is deleted. ${accountDeletion}`,
    columns: {
      id: common.rowId('passkey'),
      name: { category: 'personal', personalData: true, description: 'Label the user gave the passkey (often a device or a name).' },
      public_key: {
        category: 'credential_secret',
        personalData: false,
        description: 'The passkey’s public key: verifies a sign-in, cannot make one.',
      },
      user_id: common.userId(),
      credential_id: {
        category: 'pseudonymous',
        personalData: true,
        description: 'The authenticator’s credential id, unique per passkey.',
      },
      counter: common.operational('Signature counter (clone detection).'),
      device_type: common.operational('Single-device or multi-device (synced) passkey.', true),
      backed_up: common.operational('Whether the passkey is synced to a cloud account.', true),
      transports: common.operational('How the authenticator connects (usb, nfc, internal…).', true),
      aaguid: common.operational('Authenticator model identifier (e.g. a YubiKey model).', true),
      created_at: common.createdAt(true),
      last_used_at: common.time('Last successful sign-in with this passkey.', true),
    },
  }),
  describeTable(twoFactors, {
    purpose: 'TOTP two-factor authentication of accounts with a password.',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention: `Until the user turns two-factor off or the account is deleted. ${accountDeletion}`,
    columns: {
      id: common.rowId('two-factor record'),
      secret: {
        category: 'credential_secret',
        personalData: false,
        description: 'TOTP secret, encrypted (XChaCha20-Poly1305) under a key derived from AUTH_SECRET.',
      },
      backup_codes: { category: 'credential_secret', personalData: false, description: 'The ten backup codes, encrypted like the secret.' },
      user_id: common.userId(),
      verified: common.operational('Whether setup was confirmed with a first code.', true),
      failed_verification_count: common.operational('Consecutive wrong codes (lockout).', true),
      locked_until: common.time('End of a lockout after too many wrong codes.', true),
    },
  }),
];
