/** Pending invitations (members:write only): who, which role and projects, until when; each can be revoked after a confirmation. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { requestVoid, seg } from '../../api/client.ts';
import { memberQueryKeys, useInvitations } from '../../api/member-queries.ts';
import type { Invitation } from '../../api/member-schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ListSection } from '../../components/ListSection.tsx';
import { formatDate, formatDateTime } from '../../lib/format.ts';
import { usePaged } from '../../lib/paging.ts';
import { projectAccessLabel } from './ProjectAccessFields.tsx';

const everyInvitation = () => true;

export function InvitationsSection({ orgId }: { orgId: string }) {
  const invitations = useInvitations(orgId, true);
  const paged = usePaged(invitations.data ?? [], everyInvitation, '');
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  return (
    <section aria-labelledby="invitations-title" className="admin-section">
      <h2 id="invitations-title">Pending invitations</h2>
      <ListSection
        query={invitations}
        paged={paged}
        label="Pending invitations"
        loadingWhat="invitations"
        emptyMessage="No invitation is waiting for an answer."
        columns={['Email', 'Role', 'Projects', 'Sent', 'Expires']}
        withActions
      >
        {paged.items.map((invitation) => (
          <tr key={invitation.id} data-invitation-email={invitation.email}>
            <td data-label="Email">{invitation.email}</td>
            <td data-label="Role">{invitation.role}</td>
            <td data-label="Projects">{projectAccessLabel(invitation.projectIds)}</td>
            <td data-label="Sent">{formatDate(invitation.createdAt)}</td>
            <td data-label="Expires">{formatDateTime(invitation.expiresAt)}</td>
            <td className="actions">
              <button
                type="button"
                className="danger small"
                onClick={() => setRevoking(invitation)}
                aria-label={`Revoke the invitation of ${invitation.email}`}
              >
                Revoke
              </button>
            </td>
          </tr>
        ))}
      </ListSection>
      {revoking ? <RevokeInvitationDialog orgId={orgId} invitation={revoking} onClose={() => setRevoking(null)} /> : null}
    </section>
  );
}

function RevokeInvitationDialog({ orgId, invitation, onClose }: { orgId: string; invitation: Invitation; onClose: () => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => requestVoid('DELETE', `/api/orgs/${seg(orgId)}/invitations/${seg(invitation.id)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: memberQueryKeys.invitations(orgId) });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={`Revoke the invitation of ${invitation.email}?`}
      confirmLabel="Revoke invitation"
      onConfirm={() => revoke.mutate()}
      onCancel={onClose}
      busy={revoke.isPending}
      error={revoke.error ?? undefined}
    >
      <p>The link mailed to {invitation.email} stops working at once. You can invite them again later.</p>
    </ConfirmDialog>
  );
}
