/**
 * Signing in with a recovery code, for an account without a password that lost its passkeys: the
 * email and one unused code (spent by this sign-in). Every refusal is the same "invalid_credentials".
 */
import type { FormEvent } from 'react';
import { ApiError, request } from '../api/client.ts';
import { anyJsonSchema } from '../api/schemas.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { formText } from '../lib/form.ts';
import { useSubmission } from '../lib/submission.ts';

function recoveryError(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 401)
    return new Error('That email and recovery code do not match an account, or the code was already used. Check both and try again.');
  if (error instanceof ApiError && error.status === 429) return new Error('Too many attempts. Wait a few minutes, then try again.');
  return error;
}

export function RecoveryCodeStep({ onDone, onBack }: { onDone: () => Promise<void>; onBack: () => void }) {
  const { error, busy, run, refuse } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const email = formText(data, 'email').trim();
    const code = formText(data, 'code').trim();
    if (email === '' || code === '') return refuse(new Error('Enter your email and one of your recovery codes.'));
    form.reset();
    run(async () => {
      try {
        await request('POST', '/api/auth/sign-in/recovery-code', anyJsonSchema, { body: { email, code } });
      } catch (caught) {
        throw recoveryError(caught);
      }
      await onDone();
    });
  }

  return (
    <>
      <h1>Sign in with a recovery code</h1>
      <p className="muted">
        For accounts that sign in with passkeys only. Each code works once; generate new ones on the Security page afterwards.
      </p>
      <ErrorMessage error={error} />
      <form onSubmit={onSubmit} noValidate className="stack">
        <label htmlFor="recovery-email">Email</label>
        <input id="recovery-email" name="email" type="email" autoComplete="username" maxLength={254} autoFocus />
        <label htmlFor="recovery-code">Recovery code</label>
        <input id="recovery-code" name="code" autoComplete="off" autoCapitalize="characters" spellCheck={false} maxLength={100} />
        <button type="submit" className="wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <button type="button" className="link" onClick={onBack}>
          Back to sign in
        </button>
      </p>
    </>
  );
}
