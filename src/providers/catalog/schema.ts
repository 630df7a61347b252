import { z } from 'zod';
import { PROVIDER_IDS } from '../ids.js';

/**
 * Shape of models.json. Cross-entry rules (duplicates, limits, per-mode pricing) live in the
 * catalog-level refinement so each failure can name the entry it is about.
 */

export const CAPABILITIES = [
  'tools',
  'parallel_tool_calls',
  'vision',
  'json_object',
  'json_schema',
  'reasoning',
  'streaming',
  'prompt_caching',
  'audio_input',
  'pdf_input',
] as const;

// USD per million tokens, at most 6 decimal places: a price is then a whole number of pico-USD
// per token, which is what lets cost.ts compute exactly with integers.
const PRICE_DECIMALS = 6;
const MAX_PRICE = 100_000;

const rate = z
  .number()
  .finite()
  .nonnegative()
  .max(MAX_PRICE)
  .refine((value) => Math.abs(value * 10 ** PRICE_DECIMALS - Math.round(value * 10 ** PRICE_DECIMALS)) < 1e-6, {
    message: `must have at most ${PRICE_DECIMALS} decimal places`,
  });

const tokenCount = z.number().int().nonnegative();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD date');

const longContextSchema = z
  .object({
    /** The tier applies to the whole request once its prompt exceeds this many tokens. */
    aboveInputTokens: tokenCount.min(1),
    input: rate,
    output: rate,
    cachedInput: rate.optional(),
    cacheWrite: rate.optional(),
  })
  .strict();

const pricingSchema = z
  .object({
    input: rate,
    /** Absent only for embedding models, which produce no output tokens. */
    output: rate.optional(),
    /** Absent: cached tokens bill at the input rate (never cheaper than the provider charges). */
    cachedInput: rate.optional(),
    /** Absent: cache-write tokens bill at the input rate. */
    cacheWrite: rate.optional(),
    longContext: longContextSchema.optional(),
  })
  .strict();

const modelSchema = z
  .object({
    provider: z.enum(PROVIDER_IDS),
    id: z.string().min(1),
    aliases: z.array(z.string().min(1)).optional(),
    mode: z.enum(['chat', 'embedding']),
    contextWindow: tokenCount.min(1),
    maxOutputTokens: tokenCount,
    capabilities: z.array(z.enum(CAPABILITIES)),
    pricing: pricingSchema,
    deprecated: z.boolean().optional(),
  })
  .strict();

const sourceSchema = z.object({ provider: z.enum(PROVIDER_IDS), url: z.url(), retrieved: isoDate }).strict();

export const catalogSchema = z
  .object({
    version: z.literal(1),
    updated: isoDate,
    sources: z.array(sourceSchema).min(1),
    notes: z.string(),
    models: z.array(modelSchema),
  })
  .strict()
  .superRefine((catalog, ctx) => {
    const seen = new Map<string, number>();
    catalog.models.forEach((model, index) => {
      const problem = (message: string, ...path: (string | number)[]) =>
        ctx.addIssue({ code: 'custom', message, path: ['models', index, ...path] });

      for (const name of [model.id, ...(model.aliases ?? [])]) {
        // Lookups are case-insensitive, so two names differing only in case would collide.
        const key = `${model.provider}\u0000${name.toLowerCase()}`;
        const first = seen.get(key);
        if (first !== undefined) problem(`duplicate name "${name}" for ${model.provider} (also models[${first}])`, 'id');
        else seen.set(key, index);
      }

      if (new Set(model.capabilities).size !== model.capabilities.length) problem('lists a capability twice', 'capabilities');

      if (model.mode === 'chat') {
        if (model.maxOutputTokens < 1) problem('chat models must allow at least one output token', 'maxOutputTokens');
        if (model.contextWindow < model.maxOutputTokens) problem('contextWindow must be >= maxOutputTokens', 'contextWindow');
        if (model.pricing.output === undefined) problem('chat models need an output price', 'pricing', 'output');
      } else {
        const { output, cachedInput, cacheWrite, longContext } = model.pricing;
        if (output !== undefined || cachedInput !== undefined || cacheWrite !== undefined || longContext !== undefined) {
          problem('embedding models are priced on input only', 'pricing');
        }
      }
    });
  });

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogModel = Catalog['models'][number];
export type ModelPricing = CatalogModel['pricing'];
export type Capability = (typeof CAPABILITIES)[number];
