/**
 * Canonical ChatRequest → Messages API body. Parameters Anthropic cannot express are refused
 * (UnsupportedFeatureError → 400) when the client set them, never silently dropped.
 */
import type { ChatRequest, FunctionTool, ReasoningConfig, ToolChoice } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { DEFAULT_MAX_TOKENS, EFFORT_BUDGETS, MIN_THINKING_BUDGET } from './constants.js';
import { convertConversation } from './request-messages.js';
import type { WireMessagesBody, WireTool, WireToolChoice } from './wire-types.js';

export function buildMessagesBody(request: ChatRequest, model: string): WireMessagesBody {
  refuseInexpressible(request);
  const { system, messages } = convertConversation(request.messages);
  const thinking = thinkingBudget(request.reasoning, request.maxTokens);
  const tools = request.tools?.map(toolDefinition);
  const toolChoice = tools && tools.length > 0 ? toolChoiceFor(request.toolChoice, request.parallelToolCalls) : undefined;

  return {
    model,
    // Without a client max_tokens the default is the room left for the answer after thinking.
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS + (thinking ?? 0),
    messages,
    ...(system.length > 0 ? { system } : {}),
    ...(tools && tools.length > 0 ? { tools } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(request.stop && request.stop.length > 0 ? { stop_sequences: request.stop } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.topK !== undefined ? { top_k: request.topK } : {}),
    // Anthropic's metadata has only user_id; canonical `metadata` (OpenAI stored-completion tags)
    // does not influence generation, so it is not forwarded.
    ...(request.user !== undefined ? { metadata: { user_id: request.user } } : {}),
    ...(thinking !== undefined ? { thinking: { type: 'enabled' as const, budget_tokens: thinking } } : {}),
    ...(request.responseFormat?.type === 'json_schema'
      ? { output_config: { format: { type: 'json_schema' as const, schema: request.responseFormat.schema } } }
      : {}),
    ...(request.stream ? { stream: true } : {}),
  };
}

function refuseInexpressible(request: ChatRequest): void {
  const refuse = (feature: string, message: string): never => {
    throw new UnsupportedFeatureError('anthropic', feature, message);
  };
  if (request.n !== undefined && request.n > 1) refuse('n', 'anthropic returns one choice per request; n must be 1');
  if (request.seed !== undefined) refuse('seed', 'seed is not supported by anthropic');
  if (request.presencePenalty !== undefined) refuse('presence_penalty', 'presence_penalty is not supported by anthropic');
  if (request.frequencyPenalty !== undefined) refuse('frequency_penalty', 'frequency_penalty is not supported by anthropic');
  if (request.logprobs === true || request.topLogprobs !== undefined) refuse('logprobs', 'logprobs are not supported by anthropic');
  if (request.temperature !== undefined && request.temperature > 1) {
    refuse('temperature', 'anthropic accepts temperature between 0 and 1');
  }
  // Structured outputs take a JSON schema; "any JSON object" has no faithful schema form (Anthropic
  // requires closed objects), so json_object is refused rather than approximated.
  if (request.responseFormat?.type === 'json_object') {
    refuse('response_format', 'response_format json_object is not supported by anthropic; use json_schema');
  }
}

/**
 * Explicit budgets pass as given. An effort becomes a budget (constants.ts EFFORT_BUDGETS), shrunk
 * to fit under a client max_tokens, since thinking tokens count toward max_tokens.
 */
function thinkingBudget(reasoning: ReasoningConfig | undefined, maxTokens: number | undefined): number | undefined {
  if (!reasoning) return undefined;
  if (reasoning.budgetTokens !== undefined) {
    if (maxTokens !== undefined && maxTokens <= reasoning.budgetTokens) {
      throw new UnsupportedFeatureError('anthropic', 'reasoning', 'max_tokens must be greater than the thinking budget for anthropic');
    }
    return reasoning.budgetTokens;
  }
  if (reasoning.effort === undefined) return undefined;
  const budget = EFFORT_BUDGETS[reasoning.effort];
  if (maxTokens === undefined || budget < maxTokens) return budget;
  if (maxTokens - 1 < MIN_THINKING_BUDGET) {
    throw new UnsupportedFeatureError('anthropic', 'reasoning', `anthropic needs max_tokens above ${MIN_THINKING_BUDGET} to reason`);
  }
  return maxTokens - 1;
}

function toolDefinition(tool: FunctionTool): WireTool {
  const schema = tool.parameters;
  if (schema.type !== undefined && schema.type !== 'object') {
    throw new UnsupportedFeatureError('anthropic', 'tools', 'anthropic tool parameters must be a JSON schema of type object');
  }
  return {
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    // OpenAI accepts `{}` for a function without arguments; Anthropic needs an object schema.
    input_schema: schema.type === undefined ? { type: 'object', properties: {}, ...schema } : schema,
    ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
    ...(tool.cacheControl ? { cache_control: tool.cacheControl } : {}),
  };
}

function toolChoiceFor(choice: ToolChoice | undefined, parallel: boolean | undefined): WireToolChoice | undefined {
  const single = parallel === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return parallel === false ? { type: 'auto', ...single } : undefined;
    case 'auto':
      return { type: 'auto', ...single };
    case 'required':
      return { type: 'any', ...single };
    case 'function':
      return { type: 'tool', name: choice.name, ...single };
    case 'none':
      return { type: 'none' };
  }
}
