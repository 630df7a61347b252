/**
 * This month's usage of each project a member is limited to. The org's totals include every
 * project's spend, so the api refuses them to such a member (403 `project_access_restricted`):
 * they are not asked for, and each permitted project is shown on its own instead.
 */
import { useProjectUsage, useProjects } from '../../api/queries.ts';
import type { Project } from '../../api/schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { LimitBars, monthLabel, UsageStats } from './MonthToDate.tsx';

function ProjectMonthToDate({ orgId, project }: { orgId: string; project: Project }) {
  const usage = useProjectUsage(orgId, project.id);
  const titleId = `project-usage-${project.id}`;
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId}>{project.name}</h2>
      <ErrorMessage error={usage.error} />
      {usage.isPending ? <Loading what={`usage of ${project.name}`} /> : null}
      {usage.isSuccess ? (
        <>
          <p className="muted">{monthLabel(usage.data)}.</p>
          <UsageStats usage={usage.data} />
          <h3>Limits</h3>
          <LimitBars limits={usage.data.limits} none="No limit is set for this project." />
        </>
      ) : null}
    </section>
  );
}

export function ProjectsMonthToDate({ orgId }: { orgId: string }) {
  // The api lists only the projects this member may see: exactly the ones whose usage they may read.
  const projects = useProjects(orgId);
  return (
    <>
      <p className="notice">
        Your access is limited to some projects of this organization, so their usage is shown one by one: organization-wide totals and
        limits are shown to members with access to every project.
      </p>
      <ErrorMessage error={projects.error} />
      {projects.isPending ? <Loading what="projects" /> : null}
      {projects.data?.length === 0 ? <p>You have access to no project of this organization yet.</p> : null}
      {projects.data?.map((project) => (
        <ProjectMonthToDate key={project.id} orgId={orgId} project={project} />
      ))}
    </>
  );
}
