/**
 * The signed-in user's own security: passkeys, password, two-factor (accounts with a password) or
 * recovery codes (passkey-only accounts), and active sessions. Everything here is about the user,
 * not an org: it goes through /api/me/* and /api/auth/*.
 */
import { useSignInMethods } from '../api/account-queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { PasskeysSection } from './security/PasskeysSection.tsx';
import { PasswordSection } from './security/PasswordSection.tsx';
import { RecoveryCodesSection } from './security/RecoveryCodesSection.tsx';
import { SessionsSection } from './security/SessionsSection.tsx';
import { TwoFactorSection } from './security/TwoFactorSection.tsx';

export function SecurityPage() {
  const methods = useSignInMethods();
  return (
    <section aria-labelledby="page-title" className="account-page">
      <h1 id="page-title">Security</h1>
      <p className="muted">How you sign in, and where you are signed in. Each change is recorded in the audit trail.</p>
      <PasskeysSection />
      <ErrorMessage error={methods.error} />
      {methods.isPending ? <Loading what="your sign-in methods" /> : null}
      {methods.isSuccess && methods.data.hasPassword ? (
        <>
          <PasswordSection />
          <TwoFactorSection enabled={methods.data.twoFactorEnabled} />
        </>
      ) : null}
      {methods.isSuccess && !methods.data.hasPassword ? <RecoveryCodesSection /> : null}
      <SessionsSection />
    </section>
  );
}
