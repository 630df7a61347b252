/** The org's projects (filterable, paged); each opens its API keys. */
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useProjects } from '../api/queries.ts';
import type { Project } from '../api/schemas.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { Pagination } from '../components/Pagination.tsx';
import { formatDate } from '../lib/format.ts';
import { usePaged } from '../lib/paging.ts';

export function ProjectsPage() {
  const { orgId = '' } = useParams();
  const projects = useProjects(orgId);
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const filter = useCallback((p: Project) => needle === '' || p.name.toLowerCase().includes(needle), [needle]);
  const paged = usePaged(projects.data ?? [], filter, needle);

  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      <p className="muted">API keys belong to a project. Pick one to see and manage its keys.</p>
      <div className="filters">
        <label htmlFor="project-search">Filter by name</label>
        <input id="project-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <ErrorMessage error={projects.error} />
      {projects.isPending ? <Loading what="projects" /> : null}
      {projects.isSuccess && paged.total === 0 ? (
        <p>{needle ? 'No project matches this filter.' : 'This organization has no project yet.'}</p>
      ) : null}
      {paged.total > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Projects</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Mode</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {paged.items.map((project) => (
                <tr key={project.id}>
                  <td data-label="Name">
                    <Link to={`/orgs/${orgId}/projects/${project.id}/keys`}>{project.name}</Link>
                  </td>
                  <td data-label="Mode">
                    <span className={`badge mode-${project.mode}`}>{project.mode}</span>
                  </td>
                  <td data-label="Created">{formatDate(project.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pagination paged={paged} label="Projects" />
    </section>
  );
}
