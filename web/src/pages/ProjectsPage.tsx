/**
 * The org's projects (filterable, paged); each opens its API keys and its settings. Owners and admins
 * create projects and delete them behind a typed-name confirmation; others see a line saying so.
 */
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useProjects } from '../api/queries.ts';
import type { Project } from '../api/schemas.ts';
import { SearchFilter } from '../components/FilterFields.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { formatDate } from '../lib/format.ts';
import { useOrgRole } from '../lib/org-role.ts';
import { usePaged } from '../lib/paging.ts';
import { CreateProjectDialog } from './projects/CreateProjectDialog.tsx';
import { DeleteProjectDialog } from './projects/DeleteProjectDialog.tsx';
import { mayWriteProjects } from './projects/may-write-projects.ts';
import '../styles/projects.css';

export function ProjectsPage() {
  const { orgId = '' } = useParams();
  const projects = useProjects(orgId);
  const mayWrite = mayWriteProjects(useOrgRole(orgId));
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Project | null>(null);
  const needle = search.trim().toLowerCase();
  const filter = useCallback((p: Project) => needle === '' || p.name.toLowerCase().includes(needle), [needle]);
  const paged = usePaged(projects.data ?? [], filter, needle);

  return (
    <section aria-labelledby="projects-title">
      <div className="page-title">
        <h1 id="projects-title">Projects</h1>
        {mayWrite ? (
          <button type="button" onClick={() => setCreating(true)}>
            Create project
          </button>
        ) : null}
      </div>
      {mayWrite ? null : <p className="notice">Only owners and admins of the organization can create or delete projects.</p>}
      <p className="muted">API keys, gateway settings and limits belong to a project. Open one’s keys or settings.</p>
      <div className="filters">
        <div>
          <SearchFilter id="project-search" label="Filter by name" value={search} onChange={setSearch} />
        </div>
      </div>
      <ListSection
        query={projects}
        paged={paged}
        label="Projects"
        loadingWhat="projects"
        emptyMessage={needle ? 'No project matches this filter.' : 'This organization has no project yet.'}
        columns={['Name', 'Mode', 'Created']}
        withActions
        tableClassName="projects-table"
      >
        {paged.items.map((project) => (
          <tr key={project.id} data-project-id={project.id}>
            <td data-label="Name" className="project-name">
              <Link to={`/orgs/${orgId}/projects/${project.id}/keys`}>{project.name}</Link>
            </td>
            <td data-label="Mode">
              <span className={`badge mode-${project.mode}`}>{project.mode}</span>
            </td>
            <td data-label="Created">{formatDate(project.createdAt)}</td>
            <td className="actions">
              <Link className="row-link" to={`/orgs/${orgId}/projects/${project.id}/keys`}>
                API keys<span className="visually-hidden"> of {project.name}</span>
              </Link>
              <Link className="row-link" to={`/orgs/${orgId}/projects/${project.id}/settings`}>
                Settings<span className="visually-hidden"> of {project.name}</span>
              </Link>
              {mayWrite ? (
                <button type="button" className="danger small" onClick={() => setDeleting(project)} aria-label={`Delete ${project.name}`}>
                  Delete
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </ListSection>
      {creating ? <CreateProjectDialog orgId={orgId} onClose={() => setCreating(false)} /> : null}
      {deleting ? <DeleteProjectDialog orgId={orgId} project={deleting} onClose={() => setDeleting(null)} /> : null}
    </section>
  );
}
