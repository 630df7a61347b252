/**
 * Removes a member, or lets the user leave (their own row). Either way the member's sessions end and
 * the organization no longer lets them in; leaving sends the user back to their other organizations.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { requestVoid, seg } from '../../api/client.ts';
import { queryKeys } from '../../api/queries.ts';
import type { Me, Member } from '../../api/schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

type Props = { orgId: string; orgName: string; member: Member; isSelf: boolean; onClose: () => void };

export function RemoveMemberDialog({ orgId, orgName, member, isSelf, onClose }: Props) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => requestVoid('DELETE', `/api/orgs/${seg(orgId)}/members/${seg(member.id)}`),
    onSuccess: async () => {
      if (isSelf) {
        // No longer a member: drop the membership from /api/me's answer and leave at once (this page
        // is about to unmount), then forget everything of the org and let /api/me confirm.
        queryClient.setQueryData<Me>(queryKeys.me, (me) => me && { ...me, memberships: me.memberships.filter((m) => m.orgId !== orgId) });
        void navigate('/', { replace: true });
        queryClient.removeQueries({ queryKey: ['orgs', orgId] });
        await queryClient.invalidateQueries({ queryKey: queryKeys.me });
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
