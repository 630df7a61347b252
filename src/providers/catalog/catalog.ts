import rawCatalog from './models.json' with { type: 'json' };
import { PROVIDER_IDS, type ProviderId } from '../ids.js';
import { catalogSchema, type Catalog, type CatalogModel } from './schema.js';

export type { Catalog, CatalogModel, ModelPricing, Capability } from './schema.js';

/** The model catalog failed validation; the message names each bad entry. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

type Indexed = {
  catalog: Catalog;
  /** provider -> lower-cased id or alias -> entry */
  byProvider: Map<ProviderId, Map<string, CatalogModel>>;
  /** lower-cased id or alias -> entries across providers, in PROVIDER_IDS order */
  byName: Map<string, CatalogModel[]>;
};

let loaded: Indexed | undefined;

/**
 * Validates a catalog document. Exported so tests (and a future admin-supplied catalog) can
 * check a document other than the bundled one.
 */
export function parseCatalog(input: unknown): Catalog {
  const result = catalogSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${describeLocation(input, issue.path)}: ${issue.message}`);
  throw new CatalogError(`Model catalog is invalid: ${problems.join('; ')}`);
}

/** The bundled catalog, validated on first use and cached: it is static for the process lifetime. */
export function loadCatalog(): Catalog {
  return indexed().catalog;
}

/** The entry for a provider's model id or alias (case-insensitive), if the catalog lists it. */
export function findModel(provider: ProviderId, modelIdOrAlias: string): CatalogModel | undefined {
  return indexed().byProvider.get(provider)?.get(modelIdOrAlias.toLowerCase());
}

export function modelsOf(provider: ProviderId): CatalogModel[] {
  return loadCatalog().models.filter((model) => model.provider === provider);
}

/**
 * Every provider entry whose id or alias is this bare model name, e.g. `gpt-6-astra` is served by
 * both `openai` and `azure-openai`. Routing uses it to resolve a model name without a provider.
 */
export function providersOffering(modelId: string): CatalogModel[] {
  return indexed().byName.get(modelId.toLowerCase()) ?? [];
}

export function allModels(): readonly CatalogModel[] {
  return loadCatalog().models;
}

function indexed(): Indexed {
  loaded ??= buildIndex(parseCatalog(rawCatalog));
  return loaded;
}

function buildIndex(catalog: Catalog): Indexed {
  const byProvider = new Map<ProviderId, Map<string, CatalogModel>>();
  const byName = new Map<string, CatalogModel[]>();
  const ordered = [...catalog.models].sort((a, b) => PROVIDER_IDS.indexOf(a.provider) - PROVIDER_IDS.indexOf(b.provider));
  for (const model of ordered) {
    const names = byProvider.get(model.provider) ?? new Map<string, CatalogModel>();
    byProvider.set(model.provider, names);
    for (const name of [model.id, ...(model.aliases ?? [])].map((n) => n.toLowerCase())) {
      names.set(name, model);
      byName.set(name, [...(byName.get(name) ?? []), model]);
    }
  }
  return { catalog, byProvider, byName };
}

/** `models[12] (openai/gpt-x).pricing.input`, so a broken entry can be found by name, not just index. */
function describeLocation(input: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let label = '';
  for (const segment of path) label += typeof segment === 'number' ? `[${segment}]` : `${label === '' ? '' : '.'}${String(segment)}`;
  const [first, index] = path;
  if (first !== 'models' || typeof index !== 'number') return label;
  const entry = entryName(input, index);
  return entry === undefined ? label : label.replace(`models[${index}]`, `models[${index}] (${entry})`);
}

function entryName(input: unknown, index: number): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const models: unknown = (input as { models?: unknown }).models;
  if (!Array.isArray(models)) return undefined;
  const entry: unknown = models[index];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { provider, id } = entry as { provider?: unknown; id?: unknown };
  return `${typeof provider === 'string' ? provider : '?'}/${typeof id === 'string' ? id : '?'}`;
}
