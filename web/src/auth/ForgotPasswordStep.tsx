/**
 * "Forgot your password?": asks the api to mail a reset link. The answer is the same whether or not
 * an account uses the address (no account oracle), so the page says so in those words.
 */
import { useState, type FormEvent } from 'react';
import { request } from '../api/client.ts';
import { anyJsonSchema } from '../api/schemas.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { formText } from '../lib/form.ts';
import { useSubmission } from '../lib/submission.ts';

export function ForgotPasswordStep({ onBack }: { onBack: () => void }) {
  const { error, busy, run, refuse } = useSubmission();
  const [sent, setSent] = useState<string | null>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = formText(new FormData(event.currentTarget), 'email').trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) return refuse(new Error('Enter the email address of your account.'));
    run(async () => {
      await request('POST', '/api/auth/request-password-reset', anyJsonSchema, { body: { email } });
      setSent(email);
    });
  }

  return (
    <>
      <h1>Reset your password</h1>
      {sent === null ? (
        <>
          <p className="muted">Enter your account’s email address: we mail you a link to choose a new password (valid for one hour).</p>
          <ErrorMessage error={error} />
          <form onSubmit={onSubmit} noValidate className="stack">
            <label htmlFor="reset-email">Email</label>
            <input id="reset-email" name="email" type="email" autoComplete="username" maxLength={254} autoFocus />
            <button type="submit" className="wide" disabled={busy}>
              {busy ? 'Sending…' : 'Send the reset link'}
            </button>
          </form>
        </>
      ) : (
        <p className="notice" role="status">
          If an account uses {sent}, a link to reset its password is on its way. Check your inbox (and spam folder); the link works once,
          for one hour.
        </p>
      )}
      <p>
        <button type="button" className="link" onClick={onBack}>
          Back to sign in
        </button>
      </p>
    </>
  );
}
