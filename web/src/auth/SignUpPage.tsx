/**
 * Creating an account, when the instance allows open sign-up (otherwise the api refuses with
 * `signup_closed`, said here in words). The api checks the password policy and signs the new
 * account in; the session is an HttpOnly cookie this code never sees.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { signUpResultSchema } from '../api/account-schemas.ts';
import { ApiError, request } from '../api/client.ts';
import { queryKeys, useMe } from '../api/queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { ThemeToggle } from '../layout/ThemeToggle.tsx';
import { formText } from '../lib/form.ts';
import { useSubmission } from '../lib/submission.ts';

function signUpError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.code === 'signup_closed')
    return new Error('New accounts are by invitation only on this Portcullis. Ask an administrator of your organization to invite you.');
  if (error.code === 'signup_failed')
    return new Error('The account could not be created. If you already have one, sign in (or reset your password) instead.');
  return error;
}

export function SignUpPage() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();
  // Set once the new account is signed in: from then on this page, not the guard below, decides where to go.
  const [created, setCreated] = useState(false);

  if (me.isSuccess && !created) return <Navigate to="/" replace />;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const name = formText(data, 'name').trim();
    const email = formText(data, 'email').trim();
    const password = formText(data, 'password');
    const repeated = formText(data, 'repeatPassword');
    if (name === '' || email === '' || password === '') return refuse(new Error('Enter your name, your email and a password.'));
    if (password !== repeated) return refuse(new Error('The two passwords are not the same.'));
    run(async () => {
      let result;
      try {
        result = await request('POST', '/api/auth/sign-up', signUpResultSchema, { body: { name, email, password } });
      } catch (caught) {
        throw signUpError(caught);
      }
      form.reset();
      if (!result.signedIn) {
        await navigate('/login', { replace: true, state: { accountCreated: true } });
        return;
      }
      setCreated(true);
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
      await navigate('/account/security', { replace: true });
    });
  }

  return (
    <div className="sign-in-shell">
      <header className="sign-in-header">
        <span className="brand">Portcullis</span>
        <ThemeToggle />
      </header>
      <main id="main" className="sign-in-card">
        <h1>Create an account</h1>
        <p className="muted">After this you can add a passkey, or turn on two-factor, on your Security page.</p>
        <ErrorMessage error={error} />
        <form onSubmit={onSubmit} noValidate className="stack">
          <label htmlFor="signup-name">Name</label>
          <input id="signup-name" name="name" autoComplete="name" maxLength={100} />
          <label htmlFor="signup-email">Email</label>
          <input id="signup-email" name="email" type="email" autoComplete="username" maxLength={254} />
          <label htmlFor="signup-password">Password</label>
          <input
            id="signup-password"
            name="password"
            type="password"
            autoComplete="new-password"
            maxLength={256}
            aria-describedby="signup-password-hint"
          />
          <p id="signup-password-hint" className="hint">
            At least 16 characters (your operator may ask for more), not a common password. A passphrase of several words works well.
          </p>
          <label htmlFor="signup-repeat">Password again</label>
          <input id="signup-repeat" name="repeatPassword" type="password" autoComplete="new-password" maxLength={256} />
          <button type="submit" className="wide" disabled={busy}>
            {busy ? 'Creating…' : 'Create account'}
          </button>
        </form>
        <p>
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </main>
    </div>
  );
}
