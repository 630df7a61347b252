/** Every org of the instance with its plan and member count (filterable, paged); each plan can be changed. */
import { useCallback, useState } from 'react';
import { useInstanceOrgs } from '../../api/instance-queries.ts';
import type { InstanceOrg } from '../../api/instance-schemas.ts';
import { ORG_PLANS } from '../../api/org-schemas.ts';
import { useMe } from '../../api/queries.ts';
import { FilterSelect, SearchFilter } from '../../components/FilterFields.tsx';
import { ListSection } from '../../components/ListSection.tsx';
import { formatDate } from '../../lib/format.ts';
import { usePaged } from '../../lib/paging.ts';
import { ChangePlanDialog } from './ChangePlanDialog.tsx';

type PlanFilter = 'all' | (typeof ORG_PLANS)[number];

export function OrgPlansSection() {
  const orgs = useInstanceOrgs(true);
  const me = useMe();
  const [search, setSearch] = useState('');
  const [planFilter, setPlanFilter] = useState<PlanFilter>('all');
  const [changing, setChanging] = useState<InstanceOrg | null>(null);
  const needle = search.trim().toLowerCase();
  const filter = useCallback(
    (org: InstanceOrg) => (planFilter === 'all' || org.plan === planFilter) && (needle === '' || org.name.toLowerCase().includes(needle)),
    [needle, planFilter],
  );
  const paged = usePaged(orgs.data ?? [], filter, `${needle}|${planFilter}`);
  const isMember = (org: InstanceOrg) => me.data?.memberships.some((m) => m.orgId === org.id) ?? false;

  return (
    <section aria-labelledby="orgs-title" className="admin-section">
      <h2 id="orgs-title">Organizations and plans</h2>
      <p className="hint">You cannot set the plan of an organization you are a member of: another instance administrator does.</p>
      <div className="filters">
        <div>
          <SearchFilter id="instance-org-search" label="Filter by name" value={search} onChange={setSearch} />
        </div>
        <FilterSelect
          id="instance-org-plan"
          label="Plan"
          allValue="all"
          options={ORG_PLANS}
          value={planFilter}
          onChange={(e) => setPlanFilter(e.target.value as PlanFilter)}
        />
      </div>
      <ListSection
        query={orgs}
        paged={paged}
        label="Organizations"
        loadingWhat="organizations"
        emptyMessage={orgs.data?.length === 0 ? 'This instance has no organization yet.' : 'No organization matches these filters.'}
        columns={['Name', 'Plan', 'Members', 'Created']}
        withActions
      >
        {paged.items.map((org) => (
          <tr key={org.id} data-org-name={org.name}>
            <td data-label="Name">
              {org.name}
              {isMember(org) ? <span className="cell-hint">you are a member</span> : null}
            </td>
            <td data-label="Plan">{org.plan}</td>
            <td data-label="Members">{org.members}</td>
            <td data-label="Created">{formatDate(org.createdAt)}</td>
            <td className="actions">
              <button type="button" className="secondary small" onClick={() => setChanging(org)} aria-label={`Change plan of ${org.name}`}>
                Change plan
              </button>
            </td>
          </tr>
        ))}
      </ListSection>
      {changing ? <ChangePlanDialog org={changing} onClose={() => setChanging(null)} /> : null}
    </section>
  );
}
