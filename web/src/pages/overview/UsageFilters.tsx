/**
 * The overview's range and filters, applied as soon as one changes (each is a select: nothing can
 * be half-typed). The API key filter lists the keys of the chosen project, so it waits for one.
 */
import type { ChangeEvent } from 'react';
import { useApiKeys } from '../../api/queries.ts';
import type { Project } from '../../api/schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { FilterSelect } from '../../components/FilterFields.tsx';
import { isUsageRangeId, USAGE_RANGES, type UsageRangeId } from './ranges.ts';

export type UsageFilterValues = { range: UsageRangeId; projectId: string; apiKeyId: string; model: string };

type Props = {
  orgId: string;
  values: UsageFilterValues;
  projects: readonly Project[];
  /** Models asked for in the range (from the api's answer). */
  models: readonly string[];
  onChange: (values: UsageFilterValues) => void;
};

function ApiKeyFilter({
  orgId,
  projectId,
  value,
  onChange,
}: {
  orgId: string;
  projectId: string;
  value: string;
  onChange: (id: string) => void;
}) {
  const keys = useApiKeys(orgId, projectId);
  return (
    <>
      <FilterSelect
        id="usage-api-key"
        label="API key"
        value={value}
        onChange={(event: ChangeEvent<HTMLSelectElement>) => onChange(event.target.value)}
        options={(keys.data ?? []).map((key) => ({ value: key.id, label: key.name }))}
      />
      <ErrorMessage error={keys.error} />
    </>
  );
}

export function UsageFilters({ orgId, values, projects, models, onChange }: Props) {
  const set = (change: Partial<UsageFilterValues>) => onChange({ ...values, ...change });
  // A chosen model that has no traffic in the new range stays selectable (and clearable).
  const modelOptions = values.model !== '' && !models.includes(values.model) ? [...models, values.model].sort() : models;
  return (
    <form className="filters usage-filters" aria-label="Range and filters of the charts" onSubmit={(event) => event.preventDefault()}>
      <div>
        <label htmlFor="usage-range">Range</label>
        <select
          id="usage-range"
          value={values.range}
          onChange={(event) => {
            if (isUsageRangeId(event.target.value)) set({ range: event.target.value });
          }}
        >
          {USAGE_RANGES.map((range) => (
            <option key={range.id} value={range.id}>
              {range.label}
            </option>
          ))}
        </select>
      </div>
      <FilterSelect
        id="usage-project"
        label="Project"
        value={values.projectId}
        onChange={(event: ChangeEvent<HTMLSelectElement>) => set({ projectId: event.target.value, apiKeyId: '' })}
        options={projects.map((project) => ({ value: project.id, label: project.name }))}
      />
      {values.projectId === '' ? (
        <div>
          <label htmlFor="usage-api-key">API key</label>
          <select id="usage-api-key" disabled aria-describedby="usage-api-key-hint" value="">
            <option value="">All</option>
          </select>
          <p id="usage-api-key-hint" className="hint">
            Choose a project first.
          </p>
        </div>
      ) : (
        <ApiKeyFilter orgId={orgId} projectId={values.projectId} value={values.apiKeyId} onChange={(apiKeyId) => set({ apiKeyId })} />
      )}
      <FilterSelect
        id="usage-model"
        label="Model"
        value={values.model}
        onChange={(event: ChangeEvent<HTMLSelectElement>) => set({ model: event.target.value })}
        options={modelOptions}
      />
    </form>
  );
}
