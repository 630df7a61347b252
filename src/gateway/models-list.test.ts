import { describe, expect, it } from 'vitest';
import { allModels, findModel, loadCatalog, type CatalogModel } from '../providers/catalog/catalog.js';
import { catalogCreated, renderModel, renderModelList } from './models-list.js';

const embedding: CatalogModel = {
  provider: 'openai',
  id: 'text-embedding-3-small',
  mode: 'embedding',
  contextWindow: 8191,
  maxOutputTokens: 0,
  capabilities: [],
  pricing: { input: 0.02 },
};

describe('renderModel', () => {
  it('renders an OpenAI-shaped model with a provider-qualified id and Portcullis metadata', () => {
    const haiku = findModel('anthropic', 'claude-haiku-4-5')!;
    expect(renderModel(haiku, 1_700_000_000)).toEqual({
      id: 'anthropic/claude-haiku-4-5',
      object: 'model',
      created: 1_700_000_000,
      owned_by: 'anthropic',
      mode: 'chat',
      context_window: 200_000,
      max_output_tokens: 64_000,
      capabilities: haiku.capabilities,
      pricing: { input_per_mtok: 1, output_per_mtok: 5, cached_input_per_mtok: 0.1, cache_write_per_mtok: 1.25, currency: 'USD' },
    });
  });

  it('keeps the model part intact when the provider id itself contains a slash', () => {
    expect(renderModel(findModel('groq', 'openai/gpt-oss-120b')!).id).toBe('groq/openai/gpt-oss-120b');
  });

  it('renders absent rates as null and the long-context tier when there is one', () => {
    const rendered = renderModel(embedding, 0);
    expect(rendered.pricing).toEqual({
      input_per_mtok: 0.02,
      output_per_mtok: null,
      cached_input_per_mtok: null,
      cache_write_per_mtok: null,
      currency: 'USD',
    });
    expect(renderModel(findModel('openai', 'gpt-6.2-sol')!).pricing.long_context).toEqual({
      above_input_tokens: 272_000,
      input_per_mtok: 4,
      output_per_mtok: 15,
      cached_input_per_mtok: 0.2,
      cache_write_per_mtok: 5,
    });
  });

  it('marks deprecated models and omits the flag otherwise', () => {
    expect(renderModel({ ...embedding, deprecated: true }, 0).deprecated).toBe(true);
    expect('deprecated' in renderModel(embedding, 0)).toBe(false);
  });
});

describe('renderModelList', () => {
  it('wraps every entry in an OpenAI list', () => {
    const list = renderModelList(allModels());
    expect(list.object).toBe('list');
    expect(list.data).toHaveLength(allModels().length);
    expect(new Set(list.data.map((m) => m.id)).size).toBe(list.data.length);
    expect(list.data.map((m) => m.id)).toEqual(expect.arrayContaining(['openai/gpt-6-astra', 'azure-openai/gpt-6-astra']));
  });

  it('uses a stable created time derived from the catalog date', () => {
    const created = catalogCreated();
    expect(new Date(created * 1000).toISOString().slice(0, 10)).toBe(loadCatalog().updated);
    expect(renderModelList(allModels()).data.every((m) => m.created === created)).toBe(true);
    expect(renderModelList(allModels())).toEqual(renderModelList(allModels()));
  });

  it('renders an empty list for no entries', () => {
    expect(renderModelList([])).toEqual({ object: 'list', data: [] });
  });
});
