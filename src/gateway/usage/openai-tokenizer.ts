/**
 * OpenAI's own tokenization (tiktoken's BPE ranks), for billing a stream that ended before OpenAI
 * reported usage. The encoding is chosen by model family; the encoding itself runs in a worker
 * thread started only when a count is needed (tokenizer-worker.ts), so an idle gateway never
 * holds the rank tables.
 */
import type { ChatRequest, FunctionTool, Message } from '../canonical/types.js';
import { countTokens } from './tokenizer-worker.js';

export type EncodingName = 'o200k_base' | 'cl100k_base';

/**
 * tiktoken's model table (model.py): GPT-4 / GPT-3.5 Turbo (Azure spells it gpt-35-turbo) and the
 * text-embedding-3 / ada-002 models use cl100k_base; every model since GPT-4o (gpt-4o, gpt-4.1,
 * gpt-4.5, gpt-5, o1/o3/o4, chatgpt-4o, gpt-oss) uses o200k_base, and so does anything newer.
 */
export function encodingNameFor(model: string): EncodingName {
  const name = model.toLowerCase().replace(/^.*\//, '');
  return /^(gpt-4(-|$)|gpt-3\.5|gpt-35|text-embedding-(3|ada))/.test(name) ? 'cl100k_base' : 'o200k_base';
}

/** Token counts of each text; special-token strings are ordinary text here, as OpenAI bills them. */
export function countTexts(model: string, texts: string[]): Promise<number[]> {
  return countTokens(encodingNameFor(model), texts);
}

// OpenAI cookbook, "How to count tokens with tiktoken": every message is framed as
// <|start|>{role/name}\n{content}<|end|>\n (3 tokens plus the encoded values, 1 more for a name),
// and every reply is primed with <|start|>assistant<|message|> (3 tokens).
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;

/**
 * Images are billed by their pixel size, which the gateway does not decode: a low-detail image is
 * 85 tokens; any other is counted as a 1024x1024 high-detail tile set (85 + 4 x 170 = 765).
 */
const LOW_DETAIL_IMAGE_TOKENS = 85;
const HIGH_DETAIL_IMAGE_TOKENS = 765;

/** What to encode, and the fixed tokens around it. */
type Plan = { texts: string[]; fixed: number };

function planMessage(plan: Plan, message: Message): void {
  plan.fixed += TOKENS_PER_MESSAGE;
  plan.texts.push(message.role);
  for (const part of message.content) {
    if (part.type === 'text') plan.texts.push(part.text);
    else if (part.type === 'image') plan.fixed += part.detail === 'low' ? LOW_DETAIL_IMAGE_TOKENS : HIGH_DETAIL_IMAGE_TOKENS;
  }
  if ((message.role === 'user' || message.role === 'assistant') && message.name) {
    plan.texts.push(message.name);
    plan.fixed += TOKENS_PER_NAME;
  }
  if (message.role === 'assistant') {
    if (message.refusal) plan.texts.push(message.refusal);
    for (const call of message.toolCalls ?? []) plan.texts.push(call.name, call.arguments);
  }
  if (message.role === 'tool') plan.texts.push(message.toolCallId);
}

type Property = { type?: unknown; description?: unknown; enum?: unknown };

/** The cookbook's function-definition count (its constants for the GPT-4o family and for GPT-4 / 3.5). */
function planTools(plan: Plan, tools: FunctionTool[], encoding: EncodingName): void {
  if (tools.length === 0) return;
  const funcInit = encoding === 'o200k_base' ? 7 : 10;
  const [propInit, propKey, enumInit, enumItem, funcEnd] = [3, 3, -3, 3, 12];
  const trimDot = (text: string) => (text.endsWith('.') ? text.slice(0, -1) : text);
  for (const tool of tools) {
    plan.fixed += funcInit;
    plan.texts.push(`${tool.name}:${trimDot(tool.description ?? '')}`);
    const properties = (tool.parameters.properties ?? {}) as Record<string, Property>;
    const keys = Object.keys(properties);
    if (keys.length > 0) plan.fixed += propInit;
    for (const key of keys) {
      const property = properties[key] ?? {};
      plan.fixed += propKey;
      if (Array.isArray(property.enum)) {
        plan.fixed += enumInit;
        for (const item of property.enum) {
          plan.fixed += enumItem;
          plan.texts.push(typeof item === 'string' ? item : JSON.stringify(item));
        }
      }
      const type = typeof property.type === 'string' ? property.type : '';
      const description = typeof property.description === 'string' ? property.description : '';
      plan.texts.push(`${key}:${type}:${trimDot(description)}`);
    }
  }
  plan.fixed += funcEnd;
}

/** The prompt's tokens as OpenAI counts a Chat Completions request. */
export async function countPromptTokens(model: string, request: ChatRequest): Promise<number> {
  const plan: Plan = { texts: [], fixed: REPLY_PRIMING };
  planTools(plan, request.tools ?? [], encodingNameFor(model));
  for (const message of request.messages) planMessage(plan, message);
  const counts = await countTexts(model, plan.texts);
  return counts.reduce((sum, n) => sum + n, plan.fixed);
}
