import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accountQueryKeys } from '../../api/account-queries.ts';
import type { Passkey } from '../../api/account-schemas.ts';
import { requestVoid, seg } from '../../api/client.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { accountErrorMessage } from './account-errors.ts';

/** Removing a passkey: it no longer signs in (the authenticator may still list it; that copy is useless). */
export function RemovePasskeyDialog({ passkey, onClose }: { passkey: Passkey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => requestVoid('DELETE', `/api/me/passkeys/${seg(passkey.id)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.passkeys });
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.signInMethods });
      onClose();
    },
  });
  const name = passkey.name ?? 'Unnamed passkey';
  return (
    <ConfirmDialog
      title={`Remove the passkey “${name}”?`}
      confirmLabel="Remove passkey"
      onConfirm={() => remove.mutate()}
      onCancel={onClose}
      busy={remove.isPending}
      error={remove.error === null ? undefined : accountErrorMessage(remove.error)}
    >
      <p>You will no longer be able to sign in with it. Your device may still offer it; remove it there too.</p>
    </ConfirmDialog>
  );
}
