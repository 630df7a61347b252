/** The catalog's filters and the choices they offer (taken from the models shown, so none is empty). */
import type { CatalogModel } from '../../api/model-schemas.ts';

export type ModelFilters = { search: string; provider: string; capability: string; mode: string };
export const NO_FILTERS: ModelFilters = { search: '', provider: '', capability: '', mode: '' };

export function matchesFilters(model: CatalogModel, filters: ModelFilters): boolean {
  const needle = filters.search.trim().toLowerCase();
  return (
    (needle === '' || model.id.toLowerCase().includes(needle)) &&
    (filters.provider === '' || model.provider === filters.provider) &&
    (filters.capability === '' || model.capabilities.includes(filters.capability)) &&
    (filters.mode === '' || model.mode === filters.mode)
  );
}

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort((a, b) => a.localeCompare(b));

export const providersOf = (models: readonly CatalogModel[]) => sortedUnique(models.map((m) => m.provider));
export const capabilitiesOf = (models: readonly CatalogModel[]) => sortedUnique(models.flatMap((m) => m.capabilities));
