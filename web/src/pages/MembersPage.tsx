/**
 * Who belongs to the org, with which role and project access (filterable, paged). Admins and owners
 * (members:write) invite, change roles and project access, remove, and see pending invitations; any
 * member may leave. Everything else is read-only.
 */
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import { useMe, useMembers } from '../api/queries.ts';
import type { Member } from '../api/schemas.ts';
import { MEMBER_ROLES } from '../api/credential-schemas.ts';
import { FilterSelect, SearchFilter } from '../components/FilterFields.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { formatDate } from '../lib/format.ts';
import { useOrgRole } from '../lib/org-role.ts';
import { usePaged } from '../lib/paging.ts';
import { EditMemberDialog } from './members/EditMemberDialog.tsx';
import { InvitationsSection } from './members/InvitationsSection.tsx';
import { InviteMemberDialog } from './members/InviteMemberDialog.tsx';
import { RemoveMemberDialog } from './members/RemoveMemberDialog.tsx';
import { projectAccessLabel } from './members/ProjectAccessFields.tsx';
import { mayManageMembers } from './members/roles.ts';

type RoleFilter = 'all' | (typeof MEMBER_ROLES)[number];

export function MembersPage() {
  const { orgId = '' } = useParams();
  const me = useMe();
  const members = useMembers(orgId);
  const userRole = useOrgRole(orgId);
  const mayManage = mayManageMembers(userRole);
  const orgName = me.data?.memberships.find((m) => m.orgId === orgId)?.orgName ?? 'this organization';
  const [search, setSearch] = useState('');
  const [roleFilter, setRoleFilter] = useState<RoleFilter>('all');
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState<string | null>(null);
  const [editing, setEditing] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);

  const needle = search.trim().toLowerCase();
  const filter = useCallback(
    (m: Member) =>
      (roleFilter === 'all' || m.role === roleFilter) &&
      (needle === '' || m.email.toLowerCase().includes(needle) || m.name.toLowerCase().includes(needle)),
    [needle, roleFilter],
  );
  const paged = usePaged(members.data ?? [], filter, `${needle}|${roleFilter}`);
  const isSelf = (m: Member) => m.userId === me.data?.user.id;

  return (
    <section aria-labelledby="members-title">
      <div className="page-title">
        <h1 id="members-title">Members</h1>
        {mayManage ? (
          <button type="button" onClick={() => setInviting(true)}>
            Invite member
          </button>
        ) : null}
      </div>
      <p className="muted">
        {mayManage
          ? 'A role change signs the member out of every session. Developers and viewers can be limited to some projects.'
          : 'Only admins and owners change members. You can leave the organization from your own row.'}
      </p>
      {invited === null ? null : (
        <p className="notice" role="status">
          Invitation sent to {invited}. It is listed below until they accept it.
        </p>
      )}
      <div className="filters">
        <div>
          <SearchFilter id="member-search" label="Filter by name or email" value={search} onChange={setSearch} />
        </div>
        <FilterSelect
          id="member-role-filter"
          label="Role"
          allValue="all"
          options={MEMBER_ROLES}
          value={roleFilter}
          onChange={(e) => setRoleFilter(e.target.value as RoleFilter)}
        />
      </div>
      <ListSection
        query={members}
        paged={paged}
        label="Members"
        loadingWhat="members"
        emptyMessage="No member matches these filters."
        columns={['Name', 'Email', 'Role', 'Projects', 'Member since']}
        withActions
      >
        {paged.items.map((m) => (
          <tr key={m.id} data-member-email={m.email}>
            <td data-label="Name">{m.name}</td>
            <td data-label="Email">
              {m.email}
              {isSelf(m) ? <span className="cell-hint">you</span> : null}
            </td>
            <td data-label="Role">{m.role}</td>
            <td data-label="Projects">{projectAccessLabel(m.projectIds)}</td>
            <td data-label="Member since">{formatDate(m.createdAt)}</td>
            <td className="actions">
              {mayManage ? (
                <button type="button" className="secondary small" onClick={() => setEditing(m)} aria-label={`Change ${m.email}`}>
                  Change
                </button>
              ) : null}
              {mayManage || isSelf(m) ? (
                <button
                  type="button"
                  className="danger small"
                  onClick={() => setRemoving(m)}
                  aria-label={isSelf(m) ? 'Leave the organization' : `Remove ${m.email}`}
                >
                  {isSelf(m) ? 'Leave' : 'Remove'}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </ListSection>
      {mayManage ? <InvitationsSection orgId={orgId} /> : null}
      {inviting ? (
        <InviteMemberDialog
          orgId={orgId}
          userRole={userRole}
          onClose={() => setInviting(false)}
          onInvited={(email) => {
            setInviting(false);
            setInvited(email);
          }}
        />
      ) : null}
      {editing ? <EditMemberDialog orgId={orgId} userRole={userRole} member={editing} onClose={() => setEditing(null)} /> : null}
      {removing ? (
        <RemoveMemberDialog orgId={orgId} orgName={orgName} member={removing} isSelf={isSelf(removing)} onClose={() => setRemoving(null)} />
      ) : null}
    </section>
  );
}
