/** The organizations the signed-in user belongs to; choosing one opens the same section there. */
import { useLocation, useNavigate } from 'react-router';
import type { Membership } from '../api/schemas.ts';

/** The section of the current address that makes sense in another org (a project's keys do not). */
function sectionOf(pathname: string): string {
  const section = /^\/orgs\/[^/]+\/(projects|members)(?:\/|$)/.exec(pathname)?.[1];
  return section === undefined ? '' : `/${section}`;
}

export function OrgSwitcher({ memberships, currentOrgId }: { memberships: Membership[]; currentOrgId: string | undefined }) {
  const navigate = useNavigate();
  const location = useLocation();
  if (memberships.length === 0) return null;
  return (
    <div className="org-switcher">
      <label htmlFor="org-switcher">Organization</label>
      <select
        id="org-switcher"
        value={currentOrgId ?? ''}
        onChange={(event) => {
          if (event.target.value) void navigate(`/orgs/${event.target.value}${sectionOf(location.pathname)}`);
        }}
      >
        {currentOrgId === undefined ? (
          <option value="" disabled>
            Choose…
          </option>
        ) : null}
        {memberships.map((m) => (
          <option key={m.orgId} value={m.orgId}>
            {m.orgName} ({m.role})
          </option>
        ))}
      </select>
    </div>
  );
}
