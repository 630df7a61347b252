import type { ProviderId } from '../providers/ids.js';
import { loadCatalog, type Capability, type CatalogModel } from '../providers/catalog/catalog.js';

/**
 * `GET /v1/models` body: OpenAI's list shape, so OpenAI SDKs parse it, plus Portcullis metadata
 * (limits, capabilities, prices) that OpenAI's own list lacks.
 *
 * Ids are `provider/model` (`openai/gpt-6-astra`, `azure-openai/gpt-6-astra`,
 * `groq/openai/gpt-oss-120b`): a bare model name can be served by several providers, so only the
 * qualified id is unambiguous. Clients may still send a bare id (`gpt-6-astra`); routing resolves
 * it through `providersOffering`. Split a listed id at its FIRST `/` to get provider and model.
 */

export type RenderedPricing = {
  input_per_mtok: number;
  /** null for embedding models, which produce no output. */
  output_per_mtok: number | null;
  /** null when the provider sells no separate rate: those tokens bill at the input rate. */
  cached_input_per_mtok: number | null;
  cache_write_per_mtok: number | null;
  /** Rates for the whole request once its prompt exceeds `above_input_tokens`. */
  long_context?: {
    above_input_tokens: number;
    input_per_mtok: number;
    output_per_mtok: number;
    cached_input_per_mtok: number | null;
    cache_write_per_mtok: number | null;
  };
  currency: 'USD';
};

export type RenderedModel = {
  id: string;
  object: 'model';
  created: number;
  owned_by: ProviderId;
  mode: CatalogModel['mode'];
  context_window: number;
  max_output_tokens: number;
  capabilities: Capability[];
  pricing: RenderedPricing;
  deprecated?: true;
};

export type RenderedModelList = { object: 'list'; data: RenderedModel[] };

export function renderModelList(entries: readonly CatalogModel[], created = catalogCreated()): RenderedModelList {
  return { object: 'list', data: entries.map((entry) => renderModel(entry, created)) };
}

export function renderModel(entry: CatalogModel, created = catalogCreated()): RenderedModel {
  const { pricing } = entry;
  return {
    id: `${entry.provider}/${entry.id}`,
    object: 'model',
    created,
    owned_by: entry.provider,
    mode: entry.mode,
    context_window: entry.contextWindow,
    max_output_tokens: entry.maxOutputTokens,
    capabilities: [...entry.capabilities],
    pricing: {
      input_per_mtok: pricing.input,
      output_per_mtok: pricing.output ?? null,
      cached_input_per_mtok: pricing.cachedInput ?? null,
      cache_write_per_mtok: pricing.cacheWrite ?? null,
      ...(pricing.longContext === undefined
        ? {}
        : {
            long_context: {
              above_input_tokens: pricing.longContext.aboveInputTokens,
              input_per_mtok: pricing.longContext.input,
              output_per_mtok: pricing.longContext.output,
              cached_input_per_mtok: pricing.longContext.cachedInput ?? null,
              cache_write_per_mtok: pricing.longContext.cacheWrite ?? null,
            },
          }),
      currency: 'USD',
    },
    ...(entry.deprecated === true ? { deprecated: true as const } : {}),
  };
}

/**
 * Unix seconds of the catalog's `updated` date. Providers' real release dates are not in the
 * catalog; a fixed date keeps the response stable across restarts and replicas (clients cache it).
 */
export function catalogCreated(): number {
  return Date.parse(`${loadCatalog().updated}T00:00:00Z`) / 1000;
}
