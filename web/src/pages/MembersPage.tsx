/** Who belongs to the org and with which role (filterable, paged). Changing them comes with a later page. */
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import { useMembers } from '../api/queries.ts';
import type { Member } from '../api/schemas.ts';
import { SearchFilter } from '../components/FilterFields.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { formatDate } from '../lib/format.ts';
import { usePaged } from '../lib/paging.ts';

export function MembersPage() {
  const { orgId = '' } = useParams();
  const members = useMembers(orgId);
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const filter = useCallback(
    (m: Member) => needle === '' || m.email.toLowerCase().includes(needle) || m.name.toLowerCase().includes(needle),
    [needle],
  );
  const paged = usePaged(members.data ?? [], filter, needle);

  return (
    <section aria-labelledby="members-title">
      <h1 id="members-title">Members</h1>
      <div className="filters">
        <SearchFilter id="member-search" label="Filter by name or email" value={search} onChange={setSearch} />
      </div>
      <ListSection
        query={members}
        paged={paged}
        label="Members"
        loadingWhat="members"
        emptyMessage="No member matches this filter."
        columns={['Name', 'Email', 'Role', 'Projects', 'Member since']}
      >
        {paged.items.map((m) => (
          <tr key={m.id}>
            <td data-label="Name">{m.name}</td>
            <td data-label="Email">{m.email}</td>
            <td data-label="Role">{m.role}</td>
            <td data-label="Projects">{m.projectIds === null ? 'All' : `${m.projectIds.length} project(s)`}</td>
            <td data-label="Member since">{formatDate(m.createdAt)}</td>
          </tr>
        ))}
      </ListSection>
    </section>
  );
}
