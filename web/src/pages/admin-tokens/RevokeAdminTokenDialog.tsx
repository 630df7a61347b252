import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request, seg } from '../../api/client.ts';
import { credentialQueryKeys } from '../../api/credential-queries.ts';
import { oneAdminTokenSchema, type AdminToken } from '../../api/credential-schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

/** Revocation takes effect on the token's next request and is final: the dialog names the token first. */
export function RevokeAdminTokenDialog({ orgId, adminToken, onClose }: { orgId: string; adminToken: AdminToken; onClose: () => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => request('POST', `/api/orgs/${seg(orgId)}/admin-tokens/${seg(adminToken.id)}/revoke`, oneAdminTokenSchema),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: credentialQueryKeys.adminTokens(orgId) });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={`Revoke the admin token “${adminToken.name}”?`}
      confirmLabel="Revoke token"
      onConfirm={() => revoke.mutate()}
      onCancel={onClose}
      busy={revoke.isPending}
      error={revoke.error ?? undefined}
    >
      <p>
        The token <code>{adminToken.maskedToken}</code> is refused from its next request on: every script using it stops working. This
        cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
