/**
 * better-auth's two-factor plugin as Portcullis configures it: TOTP (RFC 6238, SHA-1, 6 digits,
 * 30 s, one step of clock drift either way) for accounts with a password.
 *
 * What the plugin does, checked against its 1.7.6 source:
 * - the TOTP secret (32 random characters) is stored encrypted with AUTH_SECRET
 *   (`symmetricEncrypt`: XChaCha20-Poly1305 under a key derived from the secret), never in clear;
 * - the ten backup codes are stored encrypted the same way (`storeBackupCodes: 'encrypted'`, its
 *   default, set here explicitly): they must be decrypted to be listed once at generation, so they
 *   are encrypted, not hashed. Passkey-only accounts use Portcullis's hashed recovery codes instead
 *   (recovery-codes.ts);
 * - enabling needs the current password (`allowPasswordless` off) and only takes effect once a
 *   code from the authenticator app is verified; disabling needs the password too;
 * - after a correct password the session it created is deleted at once and a signed, 10-minute
 *   `two_factor` cookie names the pending challenge; the session is granted only by
 *   `/two-factor/verify-totp` or `/two-factor/verify-backup-code`. Each challenge allows 5 wrong
 *   codes, and 10 consecutive failures lock the account's second factor for 15 minutes.
 *
 * "Trust this device" is not offered: Portcullis's route in front (two-factor.ts) never passes
 * `trustDevice` on, so no trust cookie is ever issued and every password sign-in asks for a code.
 */
import { twoFactor } from 'better-auth/plugins';

export function twoFactorPlugin() {
  return twoFactor({
    issuer: 'Portcullis',
    allowPasswordless: false,
    backupCodeOptions: { storeBackupCodes: 'encrypted', amount: 10, length: 10 },
    twoFactorCookieMaxAge: 600,
    accountLockout: { enabled: true, maxFailedAttempts: 10, durationSeconds: 900 },
  });
}
