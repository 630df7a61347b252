/** The guardrail violations' filters, applied on submit; each is one query parameter of the api's list. */
import type { FormEvent } from 'react';
import type { QueryParams } from '../../api/log-queries.ts';
import { GUARDRAIL_ACTIONS, GUARDRAIL_DETECTORS, GUARDRAIL_DIRECTIONS } from '../../api/log-schemas.ts';
import type { Project } from '../../api/schemas.ts';
import { formText } from '../../lib/form.ts';
import { localToIso } from '../../lib/query-string.ts';

function Choice({ id, name, label, values }: { id: string; name: string; label: string; values: readonly string[] }) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue="">
        <option value="">All</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
    </div>
  );
}

export function GuardrailFilterForm({ projects, onApply }: { projects: readonly Project[]; onApply: (filters: QueryParams) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    onApply({
      projectId: formText(data, 'projectId'),
      detector: formText(data, 'detector'),
      action: formText(data, 'action'),
      direction: formText(data, 'direction'),
      requestId: formText(data, 'requestId').trim(),
      since: localToIso(formText(data, 'since')),
      until: localToIso(formText(data, 'until')),
    });
  };
  return (
    <form className="filters" aria-label="Filter the guardrail violations" onSubmit={submit} onReset={() => onApply({})}>
      <div>
        <label htmlFor="violation-project">Project</label>
        <select id="violation-project" name="projectId" defaultValue="">
          <option value="">All</option>
          {projects.map((project) => (
            <option key={project.id} value={project.id}>
              {project.name}
            </option>
          ))}
        </select>
      </div>
      <Choice id="violation-detector" name="detector" label="Detector" values={GUARDRAIL_DETECTORS} />
      <Choice id="violation-action" name="action" label="Action" values={GUARDRAIL_ACTIONS} />
      <Choice id="violation-direction" name="direction" label="Direction" values={GUARDRAIL_DIRECTIONS} />
      <div>
        <label htmlFor="violation-request">Request id</label>
        <input id="violation-request" name="requestId" />
      </div>
      <div>
        <label htmlFor="violation-since">From</label>
        <input id="violation-since" name="since" type="datetime-local" />
      </div>
      <div>
        <label htmlFor="violation-until">Until</label>
        <input id="violation-until" name="until" type="datetime-local" />
      </div>
      <div className="row">
        <button type="submit">Apply filters</button>
        <button type="reset" className="secondary">
          Clear
        </button>
      </div>
    </form>
  );
}
