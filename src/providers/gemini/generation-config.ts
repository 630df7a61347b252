/**
 * Sampling, output format and thinking → `generationConfig`.
 *
 * Thinking: an explicit budget (Anthropic style) → `thinkingBudget` (-1 = dynamic, 0 = off). An effort
 * (OpenAI style) → `thinkingLevel` on Gemini 3+, or a budget on 2.5, which has no levels. Whenever reasoning
 * is requested the thought summaries are asked for too (`includeThoughts`), so clients see it.
 *
 * Log probabilities: Gemini can return them, but the canonical response has nowhere to put them, so the
 * request is refused rather than answered without what the client asked for.
 */
import type { ChatRequest, ReasoningConfig } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { cannotThink, usesGemini3Features } from './model-family.js';
import { prepareJsonSchema } from './schema.js';
import type { WireGenerationConfig, WireThinkingConfig } from './wire-request.js';

/** candidateCount upper bound on the models that allow more than one (Gemini 2.5); others answer 400 above 1. */
export const MAX_CANDIDATES = 8;

/** Budgets for Gemini 2.5, inside every 2.5 model's range (Pro 128–32768, Flash 0–24576, Flash-Lite 512–24576). */
const EFFORT_BUDGET = { minimal: 512, low: 1024, medium: 8192, high: 24576 } as const;

function unsupported(feature: string, message: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError('gemini', feature, message);
}

export function thinkingConfig(reasoning: ReasoningConfig | undefined, model: string): WireThinkingConfig | undefined {
  if (reasoning === undefined || (reasoning.effort === undefined && reasoning.budgetTokens === undefined)) return undefined;
  if (cannotThink(model)) throw unsupported('reasoning', 'this Gemini model does not support thinking');
  const budget = reasoning.budgetTokens;
  if (budget !== undefined) {
    if (!Number.isInteger(budget) || budget < -1) throw unsupported('reasoning', 'the thinking budget must be a whole number of tokens');
    return { thinkingBudget: budget, includeThoughts: budget !== 0 };
  }
  const effort = reasoning.effort!;
  if (usesGemini3Features(model)) return { thinkingLevel: effort, includeThoughts: true };
  return { thinkingBudget: EFFORT_BUDGET[effort], includeThoughts: true };
}

export function generationConfig(request: ChatRequest, model: string): WireGenerationConfig | undefined {
  if (request.logprobs === true || (request.topLogprobs ?? 0) > 0) {
    throw unsupported('logprobs', 'log probabilities are not available from gemini through this gateway');
  }
  if (request.n !== undefined && (!Number.isInteger(request.n) || request.n < 1 || request.n > MAX_CANDIDATES)) {
    throw unsupported('n', `gemini returns between 1 and ${MAX_CANDIDATES} choices`);
  }
  const format = request.responseFormat;
  const config: WireGenerationConfig = {
    ...(request.maxTokens !== undefined ? { maxOutputTokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.topK !== undefined ? { topK: request.topK } : {}),
    ...(request.stop !== undefined && request.stop.length > 0 ? { stopSequences: request.stop } : {}),
    ...(request.n !== undefined && request.n > 1 ? { candidateCount: request.n } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.presencePenalty !== undefined ? { presencePenalty: request.presencePenalty } : {}),
    ...(request.frequencyPenalty !== undefined ? { frequencyPenalty: request.frequencyPenalty } : {}),
    ...(format?.type === 'json_object' || format?.type === 'json_schema' ? { responseMimeType: 'application/json' } : {}),
    ...(format?.type === 'json_schema'
      ? { responseJsonSchema: prepareJsonSchema(format.schema, { what: 'response_format schema', objectRoot: false }) }
      : {}),
  };
  const thinking = thinkingConfig(request.reasoning, model);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return Object.keys(config).length > 0 ? config : undefined;
}
