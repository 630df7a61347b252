/** The org at a glance: this month's numbers and limits, then usage over a chosen range as charts. */
import { Link, useParams } from 'react-router';
import { useMe, useUsage } from '../api/queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { roleAtLeast } from '../lib/org-role.ts';
import { MonthToDate } from './overview/MonthToDate.tsx';
import { UsageOverTime } from './overview/UsageOverTime.tsx';

/** Both usage reads need usage:read (src/auth/permissions.ts), which starts at developer. */
function OrgUsage({ orgId }: { orgId: string }) {
  const usage = useUsage(orgId);
  return (
    <>
      <ErrorMessage error={usage.error} />
      {usage.isPending ? <Loading what="usage" /> : null}
      {usage.isSuccess ? <MonthToDate usage={usage.data} /> : null}
      <UsageOverTime orgId={orgId} />
    </>
  );
}

export function OverviewPage() {
  const { orgId = '' } = useParams();
  const org = useMe().data?.memberships.find((m) => m.orgId === orgId);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{org?.orgName ?? 'Overview'}</h1>
      {/* A viewer would only be refused the usage: it is not asked for, and the page says what there is to see instead. */}
      {org !== undefined && !roleAtLeast(org.role, 'developer') ? (
        <p className="notice">
          Usage, spend and limits are shown to developers, admins and owners; as a viewer you can read this organization’s configuration:
          its <Link to={`/orgs/${orgId}/projects`}>projects, their settings and API keys</Link>, and the{' '}
          <Link to={`/orgs/${orgId}/models`}>models</Link> they can use.
        </p>
      ) : (
        <OrgUsage orgId={orgId} />
      )}
    </section>
  );
}
