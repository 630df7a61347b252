import { useMutation, useQueryClient } from '@tanstack/react-query';
import { requestVoid, seg } from '../../api/client.ts';
import { credentialQueryKeys } from '../../api/credential-queries.ts';
import type { ProviderKey } from '../../api/credential-schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

/** Deletion is immediate and final for every gateway: the dialog names the key and says so first. */
export function DeleteProviderKeyDialog({ orgId, providerKey, onClose }: { orgId: string; providerKey: ProviderKey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => requestVoid('DELETE', `/api/orgs/${seg(orgId)}/provider-keys/${seg(providerKey.id)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: credentialQueryKeys.providerKeys(orgId) });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={`Delete the provider key “${providerKey.label}”?`}
      confirmLabel="Delete key"
      onConfirm={() => remove.mutate()}
      onCancel={onClose}
      busy={remove.isPending}
      error={remove.error ?? undefined}
    >
      <p>
        The {providerKey.provider} key ending in <code>{providerKey.last4}</code> is deleted and gateways stop using it at once: requests
        that need it fail unless another key of that provider applies. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
