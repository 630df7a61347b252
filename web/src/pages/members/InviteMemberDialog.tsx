/**
 * Invites someone by email, with a role and, for a developer or viewer, the projects they will be
 * limited to from their first request (no window in which they reach every project). The api mails
 * them a single-use link valid for 7 days; the link never comes back to the dashboard (only its hash
 * is stored), so the pending invitation is all there is to show.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { memberQueryKeys } from '../../api/member-queries.ts';
import { oneInvitationSchema } from '../../api/member-schemas.ts';
import { useProjects } from '../../api/queries.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';
import { ProjectAccessFields, projectIdsOf, type ProjectAccess } from './ProjectAccessFields.tsx';
import { RoleSelect } from './RoleSelect.tsx';
import { grantableRoles, isProjectRestrictable } from './roles.ts';

type Props = { orgId: string; userRole: string; onClose: () => void; onInvited: (email: string) => void };

export function InviteMemberDialog({ orgId, userRole, onClose, onInvited }: Props) {
  const queryClient = useQueryClient();
  const [role, setRole] = useState(grantableRoles(userRole).includes('developer') ? 'developer' : (grantableRoles(userRole)[0] ?? ''));
  const projects = useProjects(orgId);
  const [access, setAccess] = useState<ProjectAccess>({ mode: 'all', projectIds: [] });
  const restrictable = isProjectRestrictable(role);
  const { error, busy, run, refuse } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = formText(new FormData(event.currentTarget), 'email').trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) return refuse(new Error('Enter the email address to send the invitation to.'));
    run(async () => {
      // Admins and owners reach every project: the api refuses a list for them.
      const body = restrictable ? { email, role, projectIds: projectIdsOf(access) } : { email, role };
      const result = await request('POST', `/api/orgs/${seg(orgId)}/invitations`, oneInvitationSchema, { body });
      await queryClient.invalidateQueries({ queryKey: memberQueryKeys.invitations(orgId) });
      onInvited(result.invitation.email);
    });
  }

  return (
    <Dialog title="Invite a member" onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="invite-email">Email</label>
        <input id="invite-email" name="email" type="email" required maxLength={254} autoComplete="off" autoFocus />
        <RoleSelect id="invite-role" userRole={userRole} value={role} onChange={setRole} />
        {restrictable ? (
          <>
            <ErrorMessage error={projects.error} />
            <ProjectAccessFields projects={projects.data ?? []} value={access} onChange={setAccess} invitee />
          </>
        ) : (
          <p className="hint">An {role} reaches every project of the organization.</p>
        )}
        <p className="hint">They get a link by email, valid for 7 days and usable once. Until then the invitation is listed as pending.</p>
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Send invitation" busyLabel="Sending…" />
      </form>
    </Dialog>
  );
}
