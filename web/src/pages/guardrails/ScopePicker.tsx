/** Which policy the page shows: the organization's, or one project's (its override on top of the org's). */
import type { Project } from '../../api/schemas.ts';

type Props = { projects: readonly Project[]; projectId: string | null; onChange: (projectId: string | null) => void };

export function ScopePicker({ projects, projectId, onChange }: Props) {
  return (
    <div className="filters">
      <div>
        <label htmlFor="guardrail-scope">Policy of</label>
        <select id="guardrail-scope" value={projectId ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}>
          <option value="">The organization (default for projects)</option>
          {projects.map((project) => (
            <option key={project.id} value={project.id}>
              Project {project.name}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
