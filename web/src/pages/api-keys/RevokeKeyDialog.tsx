import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request, seg } from '../../api/client.ts';
import { queryKeys } from '../../api/queries.ts';
import { oneApiKeySchema, type ApiKey } from '../../api/schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

/** Revocation is immediate and final: the dialog names the key and says so before anything happens. */
export function RevokeKeyDialog({
  orgId,
  projectId,
  apiKey,
  onClose,
}: {
  orgId: string;
  projectId: string;
  apiKey: ApiKey;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => request('POST', `/api/orgs/${seg(orgId)}/api-keys/${seg(apiKey.id)}/revoke`, oneApiKeySchema),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys(orgId, projectId) });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={`Revoke the API key “${apiKey.name}”?`}
      confirmLabel="Revoke key"
      onConfirm={() => revoke.mutate()}
      onCancel={onClose}
      busy={revoke.isPending}
      error={revoke.error ?? undefined}
    >
      <p>
        The key <code>{apiKey.maskedKey}</code> stops working at once: every application using it gets refused. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
