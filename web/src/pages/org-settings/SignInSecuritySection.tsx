/**
 * "Require two-factor or a passkey for admins" (PUT …/security, owners only). The api refuses to turn it
 * on for an owner who meets it not themselves (409 strong_auth_required), so nobody locks themselves out:
 * that refusal comes with the way to set one up.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ApiError, request, seg } from '../../api/client.ts';
import { orgQueryKeys, useOrgSecurity } from '../../api/org-queries.ts';
import { orgSecuritySchema } from '../../api/org-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { useSubmission } from '../../lib/submission.ts';

export function SignInSecuritySection({ orgId, mayWrite }: { orgId: string; mayWrite: boolean }) {
  const queryClient = useQueryClient();
  const security = useOrgSecurity(orgId);
  const { error, busy, run } = useSubmission();
  const required = security.data?.requireStrongAuthForAdmins ?? false;

  const setRequired = (next: boolean) =>
    run(async () => {
      const updated = await request('PUT', `/api/orgs/${seg(orgId)}/security`, orgSecuritySchema, {
        body: { requireStrongAuthForAdmins: next },
      });
      queryClient.setQueryData(orgQueryKeys.security(orgId), updated);
    });

  return (
    <section aria-labelledby="sign-in-security-title" className="admin-section">
      <h2 id="sign-in-security-title">Sign-in security</h2>
      <ErrorMessage error={security.error} />
      {security.isPending ? <Loading what="sign-in security" /> : null}
      {security.data === undefined ? null : (
        <>
          <p data-field="strong-auth">
            Two-factor or a passkey for admins and owners: <strong>{required ? 'required' : 'not required'}</strong>.
          </p>
          <p className="hint">
            When required, an admin or owner who signed in without two-factor or a passkey can still read, but every admin action is refused
            until they set one up. Admin tokens are not affected.
          </p>
          {mayWrite ? (
            <>
              <ErrorMessage error={error} />
              {error instanceof ApiError && error.code === 'strong_auth_required' ? (
                <p className="hint">
                  The requirement would apply to you at once. Set up two-factor or a passkey on your{' '}
                  <Link to="/account/security">Security page</Link>, then turn it on here.
                </p>
              ) : null}
              <div className="row">
                <button type="button" className={required ? 'secondary' : undefined} disabled={busy} onClick={() => setRequired(!required)}>
                  {busy ? 'Saving…' : required ? 'Stop requiring two-factor for admins' : 'Require two-factor or a passkey for admins'}
                </button>
              </div>
            </>
          ) : (
            <p className="hint">Only owners change this.</p>
          )}
        </>
      )}
    </section>
  );
}
