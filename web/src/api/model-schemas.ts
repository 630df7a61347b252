/** The model catalog as `GET /api/orgs/:orgId/models` answers it, validated on arrival. */
import { z } from 'zod/mini';

export const MODEL_MODES = ['chat', 'embedding'] as const;

export const catalogModelSchema = z.object({
  /** `provider/model`, as the gateway accepts it. */
  id: z.string(),
  provider: z.string(),
  model: z.string(),
  mode: z.enum(MODEL_MODES),
  contextWindow: z.number(),
  maxOutputTokens: z.number(),
  capabilities: z.array(z.string()),
  pricing: z.object({
    inputPerMTok: z.number(),
    /** null for embedding models. */
    outputPerMTok: z.nullable(z.number()),
    /** null: cached input tokens bill at the input rate. */
    cachedInputPerMTok: z.nullable(z.number()),
  }),
  deprecated: z.boolean(),
});
export type CatalogModel = z.output<typeof catalogModelSchema>;
export const modelListSchema = z.object({ models: z.array(catalogModelSchema) });
