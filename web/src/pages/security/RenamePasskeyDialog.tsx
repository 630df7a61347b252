import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { accountQueryKeys } from '../../api/account-queries.ts';
import { passkeySchema, type Passkey } from '../../api/account-schemas.ts';
import { request, seg } from '../../api/client.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';

/** A new name for a passkey (1–100 characters): only a label, the credential is unchanged. */
export function RenamePasskeyDialog({ passkey, onClose }: { passkey: Passkey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = formText(new FormData(event.currentTarget), 'name').trim();
    if (name === '') return refuse(new Error('Enter a name for the passkey.'));
    run(async () => {
      await request('PATCH', `/api/me/passkeys/${seg(passkey.id)}`, passkeySchema, { body: { name } });
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.passkeys });
      onClose();
    });
  }

  return (
    <Dialog title="Rename passkey" onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="passkey-new-name">New name</label>
        <input id="passkey-new-name" name="name" defaultValue={passkey.name ?? ''} maxLength={100} autoComplete="off" autoFocus />
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Rename" busyLabel="Renaming…" />
      </form>
    </Dialog>
  );
}
