import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROVIDER_IDS, type ProviderId } from '../ids.js';
import { allModels, CatalogError, findModel, loadCatalog, modelsOf, parseCatalog, providersOffering } from './catalog.js';

const rawFile = (): { models: Record<string, unknown>[] } & Record<string, unknown> =>
  JSON.parse(readFileSync(new URL('./models.json', import.meta.url), 'utf8')) as { models: Record<string, unknown>[] } & Record<
    string,
    unknown
  >;

/** The bundled catalog with one entry changed, for checking what validation rejects. */
function withEntry(index: number, change: (entry: Record<string, unknown>) => Record<string, unknown>): unknown {
  const raw = rawFile();
  raw.models[index] = change({ ...raw.models[index] });
  return raw;
}

describe('bundled catalog', () => {
  it('validates', () => {
    expect(() => parseCatalog(rawFile())).not.toThrow();
    expect(loadCatalog().version).toBe(1);
  });

  it('states the date of its data and cites its sources', () => {
    const { updated, sources } = loadCatalog();
    expect(updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const source of sources) expect(source.retrieved <= updated).toBe(true);
  });

  it('covers every provider except openai-compatible, whose models are whatever its server runs', () => {
    for (const provider of PROVIDER_IDS) {
      if (provider === 'openai-compatible') expect(modelsOf(provider)).toEqual([]);
      else expect(modelsOf(provider).length, provider).toBeGreaterThan(0);
      if (provider !== 'openai-compatible')
        expect(
          loadCatalog().sources.some((s) => s.provider === provider),
          `${provider} source`,
        ).toBe(true);
    }
  });

  it('lists enough chat models per provider', () => {
    const minimum: Partial<Record<ProviderId, number>> = {
      openai: 6,
      anthropic: 6,
      gemini: 6,
      mistral: 6,
      groq: 3,
      xai: 3,
      together: 3,
      // DeepSeek's API serves only two models (deepseek-flash, deepseek-v4-pro); see the catalog notes.
      deepseek: 2,
    };
    for (const [provider, min] of Object.entries(minimum) as [ProviderId, number][]) {
      expect(modelsOf(provider).filter((m) => m.mode === 'chat').length, provider).toBeGreaterThanOrEqual(min);
    }
    expect(allModels().length).toBeGreaterThanOrEqual(40);
  });

  it('has embedding models for the providers that sell them', () => {
    for (const provider of ['openai', 'gemini', 'mistral'] as const) {
      expect(
        modelsOf(provider).some((m) => m.mode === 'embedding'),
        provider,
      ).toBe(true);
    }
  });

  it('mirrors on Azure the OpenAI models it hosts, at the same id', () => {
    for (const azure of modelsOf('azure-openai')) expect(findModel('openai', azure.id), azure.id).toBeDefined();
  });
});

describe('lookups', () => {
  it('finds a model by id or alias, case-insensitively', () => {
    const haiku = findModel('anthropic', 'claude-haiku-4-5');
    expect(haiku).toBeDefined();
    expect(findModel('anthropic', 'claude-haiku-4-5-20251001')).toBe(haiku);
    expect(findModel('anthropic', 'Claude-Haiku-4-5')).toBe(haiku);
    expect(findModel('deepseek', 'deepseek-v4-flash')?.id).toBe('deepseek-flash');
  });

  it('does not find a model under another provider or an unknown name', () => {
    expect(findModel('openai', 'claude-haiku-4-5')).toBeUndefined();
    expect(findModel('openai', 'no-such-model')).toBeUndefined();
  });

  it('lists every provider serving a bare model name', () => {
    expect(providersOffering('gpt-6-astra').map((m) => m.provider)).toEqual(['openai', 'azure-openai']);
    expect(providersOffering('openai/gpt-oss-120b').map((m) => m.provider)).toEqual(['groq', 'together']);
    expect(providersOffering('grok-4').map((m) => `${m.provider}/${m.id}`)).toEqual(['xai/grok-4.3']);
    expect(providersOffering('no-such-model')).toEqual([]);
  });

  it('returns the same validated catalog on every call', () => {
    expect(loadCatalog()).toBe(loadCatalog());
  });
});

describe('validation', () => {
  const rejects = (input: unknown, ...fragments: string[]) => {
    let error: unknown;
    try {
      parseCatalog(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CatalogError);
    for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
  };

  it('rejects a duplicate id or alias within a provider, naming both entries', () => {
    const raw = rawFile();
    raw.models.push({ ...raw.models[0], aliases: [] });
    rejects(raw, `models[${raw.models.length - 1}] (openai/gpt-6.2-astra)`, 'duplicate name "gpt-6.2-astra"', 'models[0]');
  });

  it('rejects an alias that collides with another entry of the same provider', () => {
    rejects(
      withEntry(1, (e) => ({ ...e, aliases: ['GPT-6.2-ASTRA'] })),
      'models[1] (openai/gpt-6.2-sol)',
      'duplicate name "GPT-6.2-ASTRA"',
    );
  });

  it('rejects negative, non-finite and over-precise prices', () => {
    rejects(
      withEntry(0, (e) => ({ ...e, pricing: { input: -1, output: 1 } })),
      'models[0] (openai/gpt-6.2-astra).pricing.input',
    );
    rejects(
      withEntry(0, (e) => ({ ...e, pricing: { input: Number.POSITIVE_INFINITY, output: 1 } })),
      'pricing.input',
    );
    rejects(
      withEntry(0, (e) => ({ ...e, pricing: { input: 0.0000001, output: 1 } })),
      'at most 6 decimal places',
    );
  });

  it('rejects a chat model whose output limit exceeds its context window', () => {
    rejects(
      withEntry(0, (e) => ({ ...e, contextWindow: 1000, maxOutputTokens: 2000 })),
      'models[0] (openai/gpt-6.2-astra).contextWindow',
    );
  });

  it('rejects a chat model without an output price and an embedding model with one', () => {
    rejects(
      withEntry(0, (e) => ({ ...e, pricing: { input: 1 } })),
      'chat models need an output price',
    );
    const embedding = rawFile().models.findIndex((m) => m.mode === 'embedding');
    rejects(
      withEntry(embedding, (e) => ({ ...e, pricing: { input: 1, output: 1 } })),
      'embedding models are priced on input only',
    );
  });

  it('rejects unknown fields, providers and capabilities', () => {
    rejects(
      withEntry(0, (e) => ({ ...e, provider: 'bedrock' })),
      'models[0] (bedrock/gpt-6.2-astra).provider',
    );
    rejects(
      withEntry(0, (e) => ({ ...e, capabilities: ['telepathy'] })),
      'capabilities',
    );
    rejects(
      withEntry(0, (e) => ({ ...e, price: 1 })),
      'price',
    );
  });
});
