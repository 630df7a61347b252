/** The guardrail violations' filters, applied on submit; each is one query parameter of the api's list. */
import type { QueryParams } from '../../api/log-queries.ts';
import { GUARDRAIL_ACTIONS, GUARDRAIL_DETECTORS, GUARDRAIL_DIRECTIONS } from '../../api/log-schemas.ts';
import type { Project } from '../../api/schemas.ts';
import { FilterForm } from '../../components/FilterForm.tsx';
import { FilterSelect } from '../../components/FilterFields.tsx';
import { formText } from '../../lib/form.ts';

const readFilters = (data: FormData): QueryParams => ({
  projectId: formText(data, 'projectId'),
  detector: formText(data, 'detector'),
  action: formText(data, 'action'),
  direction: formText(data, 'direction'),
  requestId: formText(data, 'requestId').trim(),
});

export function GuardrailFilterForm({ projects, onApply }: { projects: readonly Project[]; onApply: (filters: QueryParams) => void }) {
  const projectOptions = projects.map((project) => ({ value: project.id, label: project.name }));
  return (
    <FilterForm label="Filter the guardrail violations" idPrefix="violation" readFilters={readFilters} onApply={onApply}>
      <FilterSelect id="violation-project" name="projectId" defaultValue="" label="Project" options={projectOptions} />
      <FilterSelect id="violation-detector" name="detector" defaultValue="" label="Detector" options={GUARDRAIL_DETECTORS} />
      <FilterSelect id="violation-action" name="action" defaultValue="" label="Action" options={GUARDRAIL_ACTIONS} />
      <FilterSelect id="violation-direction" name="direction" defaultValue="" label="Direction" options={GUARDRAIL_DIRECTIONS} />
      <div>
        <label htmlFor="violation-request">Request id</label>
        <input id="violation-request" name="requestId" />
      </div>
    </FilterForm>
  );
}
