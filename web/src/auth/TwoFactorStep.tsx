/**
 * The second step of a sign-in for an account with two-factor on: the password, or the provider's
 * callback (which lands on `/login?second-factor=1`), left a short-lived challenge cookie; a TOTP
 * code or a backup code turns it into a session.
 */
import { useState, type FormEvent } from 'react';
import { ApiError, request } from '../api/client.ts';
import { anyJsonSchema } from '../api/schemas.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { formText } from '../lib/form.ts';

type Method = 'totp' | 'backup_code';

function twoFactorMessage(error: unknown, method: Method): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.status === 429 || error.code === 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE' || error.code === 'ACCOUNT_TEMPORARILY_LOCKED')
    return new Error('Too many wrong codes. Wait a few minutes, then sign in again.');
  if (error.code === 'CODE_ALREADY_USED')
    return new Error('That code was already used. Each code works once: wait for the next one from your authenticator app.');
  if (error.code === 'INVALID_TWO_FACTOR_COOKIE' || error.code === 'UNAUTHORIZED')
    return new Error('This sign-in took too long. Cancel and sign in again.');
  if (error.status === 401 || error.status === 400)
    return new Error(
      method === 'totp'
        ? 'That code is not right. Enter the current 6-digit code from your authenticator app (check that the time on your device is correct).'
        : 'That backup code is not valid or was already used.',
    );
  return error;
}

export function TwoFactorStep({ onDone, onCancel }: { onDone: () => Promise<void>; onCancel: () => void }) {
  const [method, setMethod] = useState<Method>('totp');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = formText(new FormData(event.currentTarget), 'code').replace(/\s+/g, '');
    if (method === 'totp' && !/^[0-9]{6}$/.test(code)) return setError(new Error('Enter the 6-digit code from your authenticator app.'));
    if (!code) return setError(new Error('Enter one of your backup codes.'));
    setBusy(true);
    setError(undefined);
    const path = method === 'totp' ? '/api/auth/two-factor/verify-totp' : '/api/auth/two-factor/verify-backup-code';
    request('POST', path, anyJsonSchema, { body: { code } })
      .then(onDone)
      .catch((caught: unknown) => {
        setError(twoFactorMessage(caught, method));
        setBusy(false);
      });
  }

  return (
    <>
      <h1>Two-factor authentication</h1>
      <ErrorMessage error={error} />
      <form onSubmit={onSubmit} noValidate className="stack" key={method}>
        {method === 'totp' ? (
          <>
            <label htmlFor="code">6-digit code from your authenticator app</label>
            <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required autoFocus />
          </>
        ) : (
          <>
            <label htmlFor="code">Backup code</label>
            <input id="code" name="code" autoComplete="off" autoCapitalize="off" spellCheck={false} maxLength={100} required autoFocus />
          </>
        )}
        <button type="submit" className="wide" disabled={busy}>
          Verify
        </button>
      </form>
      <div className="row">
        <button type="button" className="link" onClick={() => setMethod(method === 'totp' ? 'backup_code' : 'totp')}>
          {method === 'totp' ? 'Use a backup code instead' : 'Use the authenticator app instead'}
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
