/** Where a developer or viewer may work: every project of the org, or the ones ticked here. */
import type { Project } from '../../api/schemas.ts';

export type ProjectAccess = { mode: 'all' | 'chosen'; projectIds: string[] };

/** A member's or invitation's project list in a table cell. */
export const projectAccessLabel = (projectIds: readonly string[] | null) =>
  projectIds === null ? 'All' : `${projectIds.length} project(s)`;

/** The list to send for the fields' value: null for every project. */
export const projectIdsOf = (access: ProjectAccess): string[] | null => (access.mode === 'all' ? null : access.projectIds);

type Props = {
  projects: readonly Project[];
  value: ProjectAccess;
  onChange: (next: ProjectAccess) => void;
  /** Who the hint speaks of: an existing member (applies from their next request) or an invitee (from their first). */
  invitee?: boolean;
};

export function ProjectAccessFields({ projects, value, onChange, invitee = false }: Props) {
  const toggle = (id: string, checked: boolean) =>
    onChange({ mode: 'chosen', projectIds: checked ? [...value.projectIds, id] : value.projectIds.filter((p) => p !== id) });
  return (
    <fieldset className="choice-group">
      <legend>Project access</legend>
      <label className="choice">
        <input type="radio" name="projectAccess" checked={value.mode === 'all'} onChange={() => onChange({ ...value, mode: 'all' })} />
        Every project, including ones created later
      </label>
      <label className="choice">
        <input
          type="radio"
          name="projectAccess"
          checked={value.mode === 'chosen'}
          onChange={() => onChange({ ...value, mode: 'chosen' })}
        />
        Only the projects chosen below
      </label>
      {value.mode === 'chosen' ? (
        projects.length === 0 ? (
          <p className="hint">This organization has no project yet: the member will see none until you add one here.</p>
        ) : (
          <ul className="choice-list" aria-label="Projects">
            {projects.map((project) => (
              <li key={project.id}>
                <label className="choice">
                  <input
                    type="checkbox"
                    checked={value.projectIds.includes(project.id)}
                    onChange={(e) => toggle(project.id, e.target.checked)}
                  />
                  {project.name}
                </label>
              </li>
            ))}
          </ul>
        )
      ) : null}
      <p className="hint">
        {invitee
          ? 'Other projects look to them as if they did not exist, from the moment they accept.'
          : 'Other projects look to them as if they did not exist. This applies from their next request, without signing them out.'}
      </p>
    </fieldset>
  );
}
