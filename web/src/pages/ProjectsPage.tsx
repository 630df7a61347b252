/** The org's projects (filterable, paged); each opens its API keys. */
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useProjects } from '../api/queries.ts';
import type { Project } from '../api/schemas.ts';
import { SearchFilter } from '../components/FilterFields.tsx';
import { ListSection } from '../components/ListSection.tsx';
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
        <SearchFilter id="project-search" label="Filter by name" value={search} onChange={setSearch} />
      </div>
      <ListSection
        query={projects}
        paged={paged}
        label="Projects"
        loadingWhat="projects"
        emptyMessage={needle ? 'No project matches this filter.' : 'This organization has no project yet.'}
        columns={['Name', 'Mode', 'Created']}
      >
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
      </ListSection>
    </section>
  );
}
