/**
 * Sign in: a passkey (no email needed), a configured provider (GitHub, Google, OIDC), or email and
 * password, then the second factor when the account has one; or a recovery code (passkey-only
 * accounts), or a password-reset link by mail. Everything goes through /api/auth/*,
 * as on the standalone /sign-in page; the session is an HttpOnly cookie this code never sees.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { request } from '../api/client.ts';
import { queryKeys, useMe, useSignInProviders, useSignUpOpen } from '../api/queries.ts';
import { signInResultSchema, socialSignInSchema } from '../api/schemas.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { formText } from '../lib/form.ts';
import { ThemeToggle } from '../layout/ThemeToggle.tsx';
import { ForgotPasswordStep } from './ForgotPasswordStep.tsx';
import { passkeyErrorMessage, passkeysSupported, signInWithPasskey } from './passkey.ts';
import { RecoveryCodeStep } from './RecoveryCodeStep.tsx';
import { TwoFactorStep } from './TwoFactorStep.tsx';

/** What brought the person here, when it deserves a word (signed out, account deleted). */
function arrivalNotice(state: unknown): string | null {
  if (typeof state !== 'object' || state === null) return null;
  if ('accountDeleted' in state) return 'Your account was deleted.';
  if ('accountCreated' in state) return 'Your account was created. Sign in.';
  if ('signedOut' in state) return 'You are signed out.';
  if ('leftOrg' in state && typeof state.leftOrg === 'string')
    return `You left ${state.leftOrg}. Leaving an organization signs you out everywhere: sign in again.`;
  return null;
}

/** The way to a new account: the sign-up page while the instance takes sign-ups, an invitation otherwise. */
function NewAccountHint() {
  const signUpOpen = useSignUpOpen();
  // Said once the api has answered; an answer that failed reads as closed, like the api's own default.
  if (signUpOpen.isPending) return null;
  return signUpOpen.data === true ? (
    <p>
      New here? <Link to="/signup">Create an account</Link>.
    </p>
  ) : (
    <p>New here? Accounts on this Portcullis are by invitation: ask an administrator of your organization to invite you.</p>
  );
}

/** Where to go after signing in: the page that sent us here, if it is one of ours. */
function destination(state: unknown): string {
  const from = typeof state === 'object' && state !== null && 'from' in state ? state.from : undefined;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') && from !== '/login' ? from : '/';
}

export function SignInPage() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const providers = useSignInProviders();
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  // A provider sign-in of an account with two-factor on comes back here for the code (oauth-second-factor.ts on the api).
  const [step, setStep] = useState<'credentials' | 'two-factor' | 'forgot-password' | 'recovery-code'>(() =>
    new URLSearchParams(location.search).get('second-factor') === '1' ? 'two-factor' : 'credentials',
  );
  const notice = arrivalNotice(location.state);

  if (me.isSuccess) return <Navigate to={destination(location.state)} replace />;

  async function signedIn() {
    await queryClient.invalidateQueries({ queryKey: queryKeys.me });
    await navigate(destination(location.state), { replace: true });
  }

  function goTo(next: typeof step) {
    setError(undefined);
    setBusy(false);
    setStep(next);
  }
  const backToCredentials = () => goTo('credentials');

  async function run(task: () => Promise<void>, describe: (error: unknown) => unknown = (e) => e) {
    setBusy(true);
    setError(undefined);
    try {
      await task();
    } catch (caught) {
      setError(describe(caught));
      setBusy(false);
    }
  }

  function onPasswordSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const email = formText(data, 'email').trim();
    const password = formText(data, 'password');
    if (!email || !password) {
      setError(new Error('Enter your email and your password.'));
      return;
    }
    void run(async () => {
      const result = await request('POST', '/api/auth/sign-in/email', signInResultSchema, { body: { email, password } });
      form.reset();
      if (result.twoFactorRequired === true) {
        setBusy(false);
        setStep('two-factor');
        return;
      }
      await signedIn();
    });
  }

  function onPasskey() {
    if (!passkeysSupported()) {
      setError(new Error('This browser does not support passkeys. Sign in with your password.'));
      return;
    }
    void run(
      async () => {
        await signInWithPasskey();
        await signedIn();
      },
      (caught) => new Error(passkeyErrorMessage(caught)),
    );
  }

  function onProvider(provider: string) {
    void run(async () => {
      const { url } = await request('POST', '/api/auth/sign-in/social', socialSignInSchema, {
        body: { provider, callbackURL: '/', errorCallbackURL: '/sign-in/error' },
      });
      window.location.assign(url);
    });
  }

  return (
    <div className="sign-in-shell">
      <header className="sign-in-header">
        <span className="brand">Portcullis</span>
        <ThemeToggle />
      </header>
      <main id="main" className="sign-in-card">
        {step === 'forgot-password' ? <ForgotPasswordStep onBack={backToCredentials} /> : null}
        {step === 'recovery-code' ? <RecoveryCodeStep onDone={signedIn} onBack={backToCredentials} /> : null}
        {step === 'two-factor' ? <TwoFactorStep onDone={signedIn} onCancel={backToCredentials} /> : null}
        {step === 'credentials' ? (
          <>
            <h1>Sign in</h1>
            {notice === null ? null : (
              <p className="notice" role="status">
                {notice}
              </p>
            )}
            <ErrorMessage error={error} />
            <button type="button" className="wide" onClick={onPasskey} disabled={busy}>
              Sign in with a passkey
            </button>
            {(providers.data ?? []).map((provider) => (
              <button key={provider.id} type="button" className="wide secondary" onClick={() => onProvider(provider.id)} disabled={busy}>
                Sign in with {provider.label}
              </button>
            ))}
            <p className="divider">
              <span>or with your password</span>
            </p>
            <form onSubmit={onPasswordSubmit} noValidate className="stack">
              <label htmlFor="email">Email</label>
              <input id="email" name="email" type="email" autoComplete="username webauthn" required maxLength={254} />
              <label htmlFor="password">Password</label>
              <input id="password" name="password" type="password" autoComplete="current-password" required maxLength={256} />
              <button type="submit" className="wide" disabled={busy}>
                {busy ? 'Signing in…' : 'Sign in'}
              </button>
            </form>
            <div className="row sign-in-links">
              <button type="button" className="link" onClick={() => goTo('forgot-password')}>
                Forgot your password?
              </button>
              <button type="button" className="link" onClick={() => goTo('recovery-code')}>
                Use a recovery code
              </button>
            </div>
            <NewAccountHint />
          </>
        ) : null}
      </main>
    </div>
  );
}
