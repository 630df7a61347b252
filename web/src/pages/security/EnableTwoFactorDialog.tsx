/**
 * Turning two-factor on, in two steps: the password answers with the authenticator's secret and the
 * backup codes (shown once, held only in this component's state), then a first code from the app
 * turns it on. Closing before that leaves two-factor off.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { accountQueryKeys } from '../../api/account-queries.ts';
import { twoFactorEnabledSchema } from '../../api/account-schemas.ts';
import { request } from '../../api/client.ts';
import { anyJsonSchema } from '../../api/schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';
import { accountErrorMessage } from './account-errors.ts';
import { OneTimeCodes } from './OneTimeCodes.tsx';
import { PasswordPromptForm } from './PasswordPromptForm.tsx';

type Setup = { totpURI: string; secret: string; backupCodes: string[] };

/** The base32 secret inside `otpauth://totp/…?secret=…`, for typing into an app by hand. */
function secretOf(totpURI: string): string {
  try {
    return new URL(totpURI).searchParams.get('secret') ?? '';
  } catch {
    return '';
  }
}

/** In groups of four, as authenticator apps show it; apps ignore the spaces. */
const grouped = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

export function EnableTwoFactorDialog({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [enabled, setEnabled] = useState(false);
  const { error, busy, run, refuse } = useSubmission();

  function onPassword(password: string) {
    run(async () => {
      try {
        const result = await request('POST', '/api/auth/two-factor/enable', twoFactorEnabledSchema, { body: { password } });
        setSetup({ totpURI: result.totpURI, secret: secretOf(result.totpURI), backupCodes: result.backupCodes });
      } catch (caught) {
        throw accountErrorMessage(caught);
      }
    });
  }

  function onCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = formText(new FormData(event.currentTarget), 'code').replace(/\s+/g, '');
    if (!/^[0-9]{6}$/.test(code)) return refuse(new Error('Enter the 6-digit code your authenticator app shows now.'));
    run(async () => {
      try {
        await request('POST', '/api/auth/two-factor/verify-totp', anyJsonSchema, { body: { code } });
      } catch (caught) {
        throw accountErrorMessage(caught);
      }
      setEnabled(true);
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.signInMethods });
    });
  }

  if (enabled) {
    return (
      <Dialog title="Two-factor authentication is on" onClose={onClose}>
        <p role="status">From now on, signing in with your password also asks for a code from your authenticator app.</p>
        <div className="dialog-actions">
          <button type="button" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }
  if (setup !== null) {
    return (
      <Dialog title="Set up your authenticator app" onClose={onClose} className="wide-dialog">
        <div className="stack">
          <p>
            In your authenticator app, add an account and enter this secret key (time-based). Or paste the setup address into an app that
            accepts one.
          </p>
          <label htmlFor="totp-secret">Secret key</label>
          <input id="totp-secret" className="secret" readOnly value={grouped(setup.secret)} spellCheck={false} autoComplete="off" />
          <label htmlFor="totp-uri">Setup address (otpauth)</label>
          <input id="totp-uri" className="secret" readOnly value={setup.totpURI} spellCheck={false} autoComplete="off" />
          <h3>Backup codes</h3>
          <OneTimeCodes codes={setup.backupCodes} what="backup codes" />
          <form onSubmit={onCode} noValidate className="stack">
            <ErrorMessage error={error} />
            <label htmlFor="first-code">The 6-digit code your app shows now</label>
            <input id="first-code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
            <div className="dialog-actions">
              <button type="button" className="secondary" onClick={onClose}>
                Cancel (two-factor stays off)
              </button>
              <button type="submit" disabled={busy}>
                {busy ? 'Checking…' : 'Turn on two-factor'}
              </button>
            </div>
          </form>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Turn on two-factor authentication" onClose={onClose} description={<p>Enter your password to begin.</p>}>
      <PasswordPromptForm
        error={error}
        busy={busy}
        submitLabel="Continue"
        busyLabel="Checking…"
        onCancel={onClose}
        onPassword={onPassword}
        onMissing={() => refuse(new Error('Enter your password.'))}
      />
    </Dialog>
  );
}
