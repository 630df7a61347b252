/**
 * Doctor checks of an AUTH_SECRET rotation: every two-factor setup must open under AUTH_SECRET or
 * AUTH_SECRET_PREVIOUS (otherwise its user cannot finish a sign-in), and once the old value is
 * listed, `keys rotate-auth-secret` should move them to the current one.
 */
import type { DatabaseHandle } from '../db/open.js';
import { createScopedDatabase } from '../db/tenant.js';
import { twoFactorSecretsStatus } from '../identity/auth-secret-rotation.js';
import type { Check } from './production-checks.js';

export type AuthSecrets = { current: string; previous: readonly string[] };

export async function authSecretChecks(handle: DatabaseHandle, secrets: AuthSecrets): Promise<Check[]> {
  const status = await twoFactorSecretsStatus(createScopedDatabase(handle.db, 'api'), secrets);
  const checks: Check[] = [
    {
      id: 'two-factor-secrets-readable',
      title: 'Every two-factor setup opens under AUTH_SECRET or AUTH_SECRET_PREVIOUS',
      ok: status.unreadable === 0,
      detail:
        status.unreadable === 0
          ? `${status.twoFactors} setup(s)`
          : `${status.unreadable} of ${status.twoFactors} open under no listed secret: those users cannot finish a sign-in`,
      fix: 'put the AUTH_SECRET they were made with into AUTH_SECRET_PREVIOUS, or have those users set up two-factor again',
      level: 'required',
    },
  ];
  if (secrets.previous.length > 0)
    checks.push({
      id: 'two-factor-secrets-current',
      title: 'Two-factor setups are encrypted under the current AUTH_SECRET',
      ok: status.underPrevious === 0,
      detail: status.underPrevious === 0 ? 'all of them' : `${status.underPrevious} still under AUTH_SECRET_PREVIOUS`,
      fix: 'run `portcullis keys rotate-auth-secret`',
      level: 'recommended',
    });
  return checks;
}
