/** Deletion is immediate and final, like revocation, and also drops the key from the list; its request logs stay. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteApiKey } from '../../api/api-key-queries.ts';
import { queryKeys } from '../../api/queries.ts';
import type { ApiKey } from '../../api/schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

type Props = { orgId: string; projectId: string; apiKey: ApiKey; onClose: () => void };

export function DeleteKeyDialog({ orgId, projectId, apiKey, onClose }: Props) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteApiKey(orgId, apiKey.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys(orgId, projectId) });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={`Delete the API key “${apiKey.name}”?`}
      confirmLabel="Delete key"
      onConfirm={() => remove.mutate()}
      onCancel={onClose}
      busy={remove.isPending}
      error={remove.error ?? undefined}
    >
      <p>
        The key <code>{apiKey.maskedKey}</code> stops working at once and leaves this list, with its limits and restrictions. Its request
        logs stay. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
