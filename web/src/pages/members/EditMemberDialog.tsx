/**
 * Changes a member's role and, for developers and viewers, the projects they may work in. Only what
 * changed is sent; the api's refusals (owner_required, role_too_high, last_owner, project_access_role)
 * come back in its own words.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { oneMemberSchema } from '../../api/member-schemas.ts';
import { queryKeys, useProjects } from '../../api/queries.ts';
import type { Member } from '../../api/schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSubmission } from '../../lib/submission.ts';
import { ProjectAccessFields, projectIdsOf, type ProjectAccess } from './ProjectAccessFields.tsx';
import { RoleSelect } from './RoleSelect.tsx';
import { isProjectRestrictable } from './roles.ts';

type Props = { orgId: string; userRole: string; member: Member; onClose: () => void };

const sameIds = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((id) => b.includes(id));

export function EditMemberDialog({ orgId, userRole, member, onClose }: Props) {
  const queryClient = useQueryClient();
  const projects = useProjects(orgId);
  const [role, setRole] = useState(member.role);
  const [access, setAccess] = useState<ProjectAccess>({
    mode: member.projectIds === null ? 'all' : 'chosen',
    projectIds: member.projectIds ?? [],
  });
  const { error, busy, run } = useSubmission();
  const restrictable = isProjectRestrictable(role);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const projectIds = projectIdsOf(access);
    const body: { role?: string; projectIds?: string[] | null } = {};
    if (role !== member.role) body.role = role;
    // Admins and owners reach every project: the api refuses a list for them and clears it itself.
    if (restrictable && !sameIds(projectIds, member.projectIds)) body.projectIds = projectIds;
    if (Object.keys(body).length === 0) return onClose();
    run(async () => {
      await request('PATCH', `/api/orgs/${seg(orgId)}/members/${seg(member.id)}`, oneMemberSchema, { body });
      await queryClient.invalidateQueries({ queryKey: queryKeys.members(orgId) });
      onClose();
    });
  }

  return (
    <Dialog title={`Change ${member.email}`} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <RoleSelect id="member-role" userRole={userRole} value={role} onChange={setRole} current={member.role} />
        <p className="warning">Changing the role signs {member.email} out of every session; they sign in again with the new role.</p>
        {restrictable ? (
          <>
            <ErrorMessage error={projects.error} />
            <ProjectAccessFields projects={projects.data ?? []} value={access} onChange={setAccess} />
          </>
        ) : (
          <p className="hint">An {role} reaches every project of the organization.</p>
        )}
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Save changes" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
