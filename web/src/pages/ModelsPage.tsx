/**
 * The model catalog: every model, or only those a chosen project may use (its providers' keys, the
 * org's provider policy and its allowed models), filterable by name, provider, capability and mode,
 * paged. Prices are the catalog's, in USD per million tokens. The chosen project is in the address
 * (`?projectId=`), so a project's settings can link to its list.
 */
import { useCallback, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { useModels } from '../api/model-queries.ts';
import { MODEL_MODES, type CatalogModel } from '../api/model-schemas.ts';
import { useProjects } from '../api/queries.ts';
import { FilterSelect, SearchFilter } from '../components/FilterFields.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { usePaged } from '../lib/paging.ts';
import { capabilitiesOf, matchesFilters, NO_FILTERS, providersOf, type ModelFilters } from './models/model-filter.ts';
import { ModelRow } from './models/ModelRow.tsx';
import '../styles/projects.css';

const COLUMNS = ['Model', 'Provider', 'Mode', 'Context window', 'Max output', 'Capabilities', 'Input', 'Output', 'Cached input'] as const;

export function ModelsPage() {
  const { orgId = '' } = useParams();
  const [searchParams, setSearchParams] = useSearchParams();
  const projectId = searchParams.get('projectId') ?? '';
  const projects = useProjects(orgId);
  const models = useModels(orgId, projectId === '' ? undefined : projectId);
  const [filters, setFilters] = useState<ModelFilters>(NO_FILTERS);
  const setFilter = (patch: Partial<ModelFilters>) => setFilters((previous) => ({ ...previous, ...patch }));

  const filter = useCallback((model: CatalogModel) => matchesFilters(model, filters), [filters]);
  const paged = usePaged(models.data ?? [], filter, `${projectId}|${JSON.stringify(filters)}`);
  const all = models.data ?? [];
  const projectName = projects.data?.find((p) => p.id === projectId)?.name;

  function chooseProject(next: string) {
    setSearchParams(next === '' ? {} : { projectId: next }, { replace: true });
  }

  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      <p className="muted">
        The gateway’s model catalog. Applications request a model by its id (<code>provider/model</code>). Prices are in US dollars per
        million tokens.
      </p>
      <div className="filters">
        <FilterSelect
          id="model-project"
          label="Project"
          options={(projects.data ?? []).map((p) => ({ value: p.id, label: `Usable by ${p.name}` }))}
          value={projectId}
          onChange={(e) => chooseProject(e.target.value)}
          aria-describedby="model-project-hint"
        />
        <div>
          <SearchFilter id="model-search" label="Filter by name" value={filters.search} onChange={(search) => setFilter({ search })} />
        </div>
        <FilterSelect
          id="model-provider"
          label="Provider"
          options={providersOf(all)}
          value={filters.provider}
          onChange={(e) => setFilter({ provider: e.target.value })}
        />
        <FilterSelect
          id="model-capability"
          label="Capability"
          options={capabilitiesOf(all)}
          value={filters.capability}
          onChange={(e) => setFilter({ capability: e.target.value })}
        />
        <FilterSelect
          id="model-mode"
          label="Mode"
          options={MODEL_MODES}
          value={filters.mode}
          onChange={(e) => setFilter({ mode: e.target.value })}
        />
      </div>
      <p id="model-project-hint" className="hint">
        {projectId === ''
          ? 'All: every model in the catalog. Choose a project to see only what it may use.'
          : `Only what ${projectName ?? 'this project'} may use: models of the providers it has a key for, within the organization’s provider policy and the project’s allowed models. Its aliases are listed in its settings.`}
      </p>
      <ListSection
        query={models}
        paged={paged}
        label="Models"
        loadingWhat="models"
        emptyMessage={
          all.length === 0
            ? projectId === ''
              ? 'The catalog is empty.'
              : 'This project can use no model yet: add a provider key it may use, or widen its allowed models.'
            : 'No model matches these filters.'
        }
        columns={COLUMNS}
        tableClassName="models-table"
      >
        {paged.items.map((model) => (
          <ModelRow key={model.id} model={model} />
        ))}
      </ListSection>
    </section>
  );
}
