/** The org at a glance: this month's numbers and limits, then usage over a chosen range as charts. */
import { useParams } from 'react-router';
import { useMe, useUsage } from '../api/queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { MonthToDate } from './overview/MonthToDate.tsx';
import { UsageOverTime } from './overview/UsageOverTime.tsx';

export function OverviewPage() {
  const { orgId = '' } = useParams();
  const org = useMe().data?.memberships.find((m) => m.orgId === orgId);
  const usage = useUsage(orgId);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{org?.orgName ?? 'Overview'}</h1>
      <ErrorMessage error={usage.error} />
      {usage.isPending ? <Loading what="usage" /> : null}
      {usage.isSuccess ? <MonthToDate usage={usage.data} /> : null}
      <UsageOverTime orgId={orgId} />
    </section>
  );
}
