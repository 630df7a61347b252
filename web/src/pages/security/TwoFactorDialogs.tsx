/** Turning two-factor off, and replacing the backup codes: both ask for the password first. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountQueryKeys } from '../../api/account-queries.ts';
import { backupCodesSchema } from '../../api/account-schemas.ts';
import { request } from '../../api/client.ts';
import { anyJsonSchema } from '../../api/schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { useSubmission } from '../../lib/submission.ts';
import { accountErrorMessage } from './account-errors.ts';
import { OneTimeCodes } from './OneTimeCodes.tsx';
import { PasswordPromptForm } from './PasswordPromptForm.tsx';

export function DisableTwoFactorDialog({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();
  function onPassword(password: string) {
    run(async () => {
      try {
        await request('POST', '/api/auth/two-factor/disable', anyJsonSchema, { body: { password } });
      } catch (caught) {
        throw accountErrorMessage(caught);
      }
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.signInMethods });
      onClose();
    });
  }
  return (
    <Dialog
      title="Turn off two-factor authentication?"
      onClose={onClose}
      description={<p>Your password alone will then sign you in, and your backup codes stop working. Enter your password to confirm.</p>}
    >
      <PasswordPromptForm
        error={error}
        busy={busy}
        submitLabel="Turn off two-factor"
        busyLabel="Turning off…"
        destructive
        onCancel={onClose}
        onPassword={onPassword}
        onMissing={() => refuse(new Error('Enter your password.'))}
      />
    </Dialog>
  );
}

export function NewBackupCodesDialog({ onClose }: { onClose: () => void }) {
  const [codes, setCodes] = useState<string[] | null>(null);
  const { error, busy, run, refuse } = useSubmission();
  function onPassword(password: string) {
    run(async () => {
      try {
        const result = await request('POST', '/api/auth/two-factor/generate-backup-codes', backupCodesSchema, { body: { password } });
        setCodes(result.backupCodes);
      } catch (caught) {
        throw accountErrorMessage(caught);
      }
    });
  }
  if (codes !== null) {
    return (
      <Dialog title="Your new backup codes" onClose={onClose}>
        <OneTimeCodes codes={codes} what="backup codes" />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            I have stored the codes
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog
      title="Replace your backup codes?"
      onClose={onClose}
      description={<p>A new set of 10 codes replaces the old one: the old codes stop working. Enter your password to confirm.</p>}
    >
      <PasswordPromptForm
        error={error}
        busy={busy}
        submitLabel="Replace backup codes"
        busyLabel="Replacing…"
        destructive
        onCancel={onClose}
        onPassword={onPassword}
        onMissing={() => refuse(new Error('Enter your password.'))}
      />
    </Dialog>
  );
}
