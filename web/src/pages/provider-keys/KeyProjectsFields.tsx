/** Which projects may use a provider key: every project of the org (an empty list), or the ticked ones. */
import type { Project } from '../../api/schemas.ts';

export type KeyProjects = { mode: 'all' | 'chosen'; projectIds: string[] };

type Props = { projects: readonly Project[]; value: KeyProjects; onChange: (next: KeyProjects) => void };

export function KeyProjectsFields({ projects, value, onChange }: Props) {
  const toggle = (id: string, checked: boolean) =>
    onChange({ mode: 'chosen', projectIds: checked ? [...value.projectIds, id] : value.projectIds.filter((p) => p !== id) });
  return (
    <fieldset className="choice-group">
      <legend>Projects that may use this key</legend>
      <label className="choice">
        <input type="radio" name="keyProjects" checked={value.mode === 'all'} onChange={() => onChange({ ...value, mode: 'all' })} />
        Every project, including ones created later
      </label>
      <label className="choice">
        <input type="radio" name="keyProjects" checked={value.mode === 'chosen'} onChange={() => onChange({ ...value, mode: 'chosen' })} />
        Only the projects chosen below
      </label>
      {value.mode === 'chosen' ? (
        projects.length === 0 ? (
          <p className="hint">This organization has no project yet.</p>
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
      <p className="hint">A project’s own key is preferred to an org-wide one of the same provider.</p>
    </fieldset>
  );
}
