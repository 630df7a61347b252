/**
 * The org at a glance: this month's numbers and limits, then usage over a chosen range as charts. A member
 * limited to some projects sees each of their projects' month instead of the org's; a viewer, no usage.
 */
import { Link, useParams } from 'react-router';
import { useMe, useUsage } from '../api/queries.ts';
import type { Membership } from '../api/schemas.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { roleAtLeast } from '../lib/org-role.ts';
import { MonthToDate } from './overview/MonthToDate.tsx';
import { ProjectsMonthToDate } from './overview/ProjectsMonthToDate.tsx';
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

/** A member limited to some projects: each of theirs this month; the charts count only theirs (the api filters them). */
function LimitedUsage({ orgId }: { orgId: string }) {
  return (
    <>
      <ProjectsMonthToDate orgId={orgId} />
      <UsageOverTime orgId={orgId} />
    </>
  );
}

function Usage({ orgId, membership }: { orgId: string; membership: Membership | undefined }) {
  // The layout renders pages only once /api/me is in: `undefined` is an org the user is no member of (the api refuses that).
  if (membership === undefined) return <OrgUsage orgId={orgId} />;
  if (!roleAtLeast(membership.role, 'developer')) return <ViewerNotice orgId={orgId} />;
  // The org-wide read would be refused (403 `project_access_restricted`): not asked for.
  if (membership.projectIds !== null) return <LimitedUsage orgId={orgId} />;
  return <OrgUsage orgId={orgId} />;
}

/** A viewer would only be refused the usage: it is not asked for, and the page says what there is to see instead. */
function ViewerNotice({ orgId }: { orgId: string }) {
  return (
    <p className="notice">
      Usage, spend and limits are shown to developers, admins and owners; as a viewer you can read this organization’s configuration: its{' '}
      <Link to={`/orgs/${orgId}/projects`}>projects, their settings and API keys</Link>, and the{' '}
      <Link to={`/orgs/${orgId}/models`}>models</Link> they can use.
    </p>
  );
}

export function OverviewPage() {
  const { orgId = '' } = useParams();
  const org = useMe().data?.memberships.find((m) => m.orgId === orgId);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{org?.orgName ?? 'Overview'}</h1>
      <Usage orgId={orgId} membership={org} />
    </section>
  );
}
