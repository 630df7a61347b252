/**
 * Recovery codes, for an account without a password (passkeys only): the way back in when every
 * passkey is lost. How many are left, and a new set (shown once, held only in this component's state).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountQueryKeys, useRecoveryCodeCount } from '../../api/account-queries.ts';
import { newRecoveryCodesSchema } from '../../api/account-schemas.ts';
import { request } from '../../api/client.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { useSubmission } from '../../lib/submission.ts';
import { accountErrorMessage } from './account-errors.ts';
import { OneTimeCodes } from './OneTimeCodes.tsx';

export function RecoveryCodesSection() {
  const queryClient = useQueryClient();
  const remaining = useRecoveryCodeCount(true);
  const [confirming, setConfirming] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const { error, busy, run } = useSubmission();

  function generate() {
    run(async () => {
      try {
        const result = await request('POST', '/api/me/recovery-codes', newRecoveryCodesSchema);
        setCodes(result.codes);
        setConfirming(false);
      } catch (caught) {
        throw accountErrorMessage(caught);
      }
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.recoveryCodes });
    });
  }

  return (
    <section aria-labelledby="recovery-title" className="account-section">
      <h2 id="recovery-title">Recovery codes</h2>
      <p className="muted">
        Your account has no password. If you lose every passkey, a recovery code signs you in once (“Use a recovery code” on the sign-in
        page).
      </p>
      <ErrorMessage error={remaining.error} />
      {remaining.isPending ? <Loading what="your recovery codes" /> : null}
      {remaining.isSuccess ? (
        <p>
          {remaining.data === 0
            ? 'You have no unused recovery code. Generate a set now.'
            : `${remaining.data} unused recovery ${remaining.data === 1 ? 'code' : 'codes'} left.`}
        </p>
      ) : null}
      <button type="button" onClick={() => (remaining.data === 0 ? generate() : setConfirming(true))} disabled={busy}>
        Generate new recovery codes
      </button>
      {confirming ? (
        <ConfirmDialog
          title="Replace your recovery codes?"
          confirmLabel="Generate new codes"
          onConfirm={generate}
          onCancel={() => setConfirming(false)}
          busy={busy}
          error={error}
        >
          <p>Ten new codes replace the old ones: the codes you stored before stop working.</p>
        </ConfirmDialog>
      ) : (
        <ErrorMessage error={error} />
      )}
      {codes === null ? null : (
        <Dialog title="Your new recovery codes" onClose={() => setCodes(null)}>
          <OneTimeCodes codes={codes} what="recovery codes" />
          <div className="dialog-actions">
            <button type="button" onClick={() => setCodes(null)}>
              I have stored the codes
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
