/**
 * Removes a member, or lets the user leave (their own row). Either way the member's sessions end and
 * the organization no longer lets them in; leaving sends the user back to their other organizations.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { requestVoid, seg } from '../../api/client.ts';
import { queryKeys } from '../../api/queries.ts';
import type { Member } from '../../api/schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

type Props = { orgId: string; orgName: string; member: Member; isSelf: boolean; onClose: () => void };

export function RemoveMemberDialog({ orgId, orgName, member, isSelf, onClose }: Props) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => requestVoid('DELETE', `/api/orgs/${seg(orgId)}/members/${seg(member.id)}`),
    onSuccess: async () => {
      if (isSelf) {
        // The api ends every session of a member who leaves (as for any removal): this browser is
        // signed out. Forget everything cached and say so on the sign-in page.
        queryClient.clear();
        await navigate('/login', { replace: true, state: { leftOrg: orgName } });
        return;
      }
      await queryClient.invalidateQueries({ queryKey: queryKeys.members(orgId) });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={isSelf ? `Leave ${orgName}?` : `Remove ${member.email} from ${orgName}?`}
      confirmLabel={isSelf ? 'Leave organization' : 'Remove member'}
      onConfirm={() => remove.mutate()}
      onCancel={onClose}
      busy={remove.isPending}
      error={remove.error ?? undefined}
    >
      {isSelf ? (
        <p>You lose access to this organization at once. Only an invitation brings you back.</p>
      ) : (
        <p>
          {member.name} ({member.email}, {member.role}) loses access at once: their sessions end. API keys they own and admin tokens they
          created are revoked.
        </p>
      )}
    </ConfirmDialog>
  );
}
