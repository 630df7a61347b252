/** Who belongs to the org and with which role (filterable, paged). Changing them comes with a later page. */
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import { useMembers } from '../api/queries.ts';
import type { Member } from '../api/schemas.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { Pagination } from '../components/Pagination.tsx';
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
        <label htmlFor="member-search">Filter by name or email</label>
        <input id="member-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <ErrorMessage error={members.error} />
      {members.isPending ? <Loading what="members" /> : null}
      {members.isSuccess && paged.total === 0 ? <p>No member matches this filter.</p> : null}
      {paged.total > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Members</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Projects</th>
                <th scope="col">Member since</th>
              </tr>
            </thead>
            <tbody>
              {paged.items.map((m) => (
                <tr key={m.id}>
                  <td data-label="Name">{m.name}</td>
                  <td data-label="Email">{m.email}</td>
                  <td data-label="Role">{m.role}</td>
                  <td data-label="Projects">{m.projectIds === null ? 'All' : `${m.projectIds.length} project(s)`}</td>
                  <td data-label="Member since">{formatDate(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pagination paged={paged} label="Members" />
    </section>
  );
}
