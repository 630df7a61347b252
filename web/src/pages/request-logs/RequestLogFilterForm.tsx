/**
 * The request logs' filters, applied on submit (the api refuses a half-typed status), starting from
 * the ones in the address. The API key choice lists the keys of the chosen project, so it waits for
 * a project; the time range is the shared From / Until pair, renamed to the api's `from` / `to`.
 */
import { useState } from 'react';
import { useApiKeyNames } from '../../api/api-key-names.ts';
import { PROVIDER_IDS } from '../../api/credential-schemas.ts';
import type { QueryParams } from '../../api/log-queries.ts';
import type { RequestLogFilters } from '../../api/request-log-queries.ts';
import type { Project } from '../../api/schemas.ts';
import { FilterForm } from '../../components/FilterForm.tsx';
import { FilterSelect } from '../../components/FilterFields.tsx';
import { formText } from '../../lib/form.ts';

type Props = {
  orgId: string;
  projects: readonly Project[];
  /** The filters in force (from the address): the fields start with them. */
  initial: RequestLogFilters;
  onApply: (filters: RequestLogFilters) => void;
};

const readFilters = (data: FormData): QueryParams => ({
  projectId: formText(data, 'projectId'),
  apiKeyId: formText(data, 'apiKeyId'),
  model: formText(data, 'model').trim(),
  provider: formText(data, 'provider'),
  status: formText(data, 'status').trim().toLowerCase(),
  errorCode: formText(data, 'errorCode').trim(),
  requestId: formText(data, 'requestId').trim(),
});

/** FilterForm names the time range `since` / `until` (the audit log's words); the api says `from` / `to`. */
function toApiFilters({ since, until, ...rest }: QueryParams): RequestLogFilters {
  return { ...rest, from: since, to: until };
}

export function RequestLogFilterForm({ orgId, projects, initial, onApply }: Props) {
  const [projectId, setProjectId] = useState(initial.projectId ?? '');
  const [apiKeyId, setApiKeyId] = useState(initial.apiKeyId ?? '');
  const keyNames = useApiKeyNames(orgId, projectId === '' ? [] : [projectId]);
  const keyOptions = [...keyNames].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
  const projectOptions = projects.map((project) => ({ value: project.id, label: project.name }));

  return (
    <FilterForm
      label="Filter the request logs"
      idPrefix="request-log"
      readFilters={readFilters}
      onApply={(filters) => onApply(toApiFilters(filters))}
      initialRange={{ since: initial.from, until: initial.to }}
    >
      <FilterSelect
        id="request-log-project"
        name="projectId"
        label="Project"
        options={projectOptions}
        value={projectId}
        onChange={(event) => {
          setProjectId(event.target.value);
          setApiKeyId('');
        }}
      />
      <div>
        <FilterSelect
          id="request-log-api-key"
          name="apiKeyId"
          label="API key"
          options={keyOptions}
          value={apiKeyId}
          onChange={(event) => setApiKeyId(event.target.value)}
          disabled={projectId === ''}
          aria-describedby="request-log-api-key-hint"
        />
        <span id="request-log-api-key-hint" className="cell-hint">
          {projectId === '' ? 'Choose a project first' : 'Keys of the chosen project'}
        </span>
      </div>
      <div>
        <label htmlFor="request-log-model">Model asked for</label>
        <input id="request-log-model" name="model" defaultValue={initial.model ?? ''} placeholder="openai/gpt-5.4-mini" />
      </div>
      <FilterSelect
        id="request-log-provider"
        name="provider"
        label="Provider"
        options={PROVIDER_IDS}
        defaultValue={initial.provider ?? ''}
      />
      <div>
        <label htmlFor="request-log-status">Status</label>
        <input
          id="request-log-status"
          name="status"
          defaultValue={initial.status ?? ''}
          placeholder="429 or 4xx"
          aria-describedby="request-log-status-hint"
          size={8}
        />
        <span id="request-log-status-hint" className="cell-hint">
          A status, or a class like 4xx
        </span>
      </div>
      <div>
        <label htmlFor="request-log-error-code">Error code</label>
        <input id="request-log-error-code" name="errorCode" defaultValue={initial.errorCode ?? ''} />
      </div>
      <div>
        <label htmlFor="request-log-request-id">Request id</label>
        <input id="request-log-request-id" name="requestId" defaultValue={initial.requestId ?? ''} />
      </div>
    </FilterForm>
  );
}
