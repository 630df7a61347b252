/**
 * Canonical ChatRequest → Chat Completions request body, for OpenAI and every provider that
 * speaks a dialect of it. What the dialect cannot express is refused (UnsupportedFeatureError),
 * never dropped, unless it cannot change the answer (documented at each such place).
 */
import type { ChatRequest, ReasoningConfig, ResponseFormat, ToolChoice } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { toWireMessages } from './chat-messages.js';
import type { ChatDialect } from './dialect.js';

export function buildChatBody(request: ChatRequest, model: string, dialect: ChatDialect): Record<string, unknown> {
  const body: Record<string, unknown> = { model, messages: toWireMessages(request.messages, dialect) };

  const tools = request.tools ?? [];
  const hasTools = tools.length > 0;
  if (hasTools) {
    body.tools = tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }));
  }
  // OpenAI answers 400 to tool_choice / parallel_tool_calls without tools; without tools they
  // cannot change the answer anyway.
  if (hasTools && request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice);
  if (hasTools && request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;

  if (request.maxTokens !== undefined) body[dialect.maxTokensField] = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) {
    if (!dialect.topK) throw new UnsupportedFeatureError(dialect.provider, 'top_k');
    body.top_k = request.topK;
  }
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.n !== undefined && request.n !== 1) {
    if (request.n > dialect.maxChoices) {
      throw new UnsupportedFeatureError(dialect.provider, 'n', `n > ${dialect.maxChoices} is not supported by ${dialect.provider}`);
    }
    body.n = request.n;
  }
  if (request.seed !== undefined) body[dialect.seedField] = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.logprobs === true || request.topLogprobs !== undefined) {
    if (!dialect.logprobs) throw new UnsupportedFeatureError(dialect.provider, 'logprobs');
    if (request.logprobs !== undefined) body.logprobs = request.logprobs;
    if (request.topLogprobs !== undefined) body.top_logprobs = request.topLogprobs;
  }
  if (request.responseFormat !== undefined) body.response_format = responseFormat(request.responseFormat, dialect);
  if (request.reasoning !== undefined && dialect.reasoningEffort === 'send') {
    const effort = reasoningEffort(request.reasoning, dialect);
    if (effort !== undefined) body.reasoning_effort = effort;
  }
  if (request.user !== undefined && dialect.user) body.user = request.user;
  // `metadata` is deliberately not sent: OpenAI accepts it only together with `store: true`, and
  // the gateway never asks a provider to retain a conversation the client did not ask it to keep.

  body.stream = request.stream;
  // Usage is always requested when streaming: billing and limits depend on it. Whether the client
  // sees the usage chunk is the inbound format's decision (it knows what the client asked for).
  if (request.stream && dialect.streamUsageOption) body.stream_options = { include_usage: true };
  return body;
}

function toolChoice(choice: ToolChoice): unknown {
  switch (choice.type) {
    case 'auto':
    case 'none':
    case 'required':
      return choice.type;
    case 'function':
      return { type: 'function', function: { name: choice.name } };
  }
}

function responseFormat(format: ResponseFormat, dialect: ChatDialect): unknown {
  switch (format.type) {
    case 'text':
    case 'json_object':
      return { type: format.type };
    case 'json_schema':
      if (!dialect.jsonSchema) throw new UnsupportedFeatureError(dialect.provider, 'response_format json_schema');
      return {
        type: 'json_schema',
        json_schema: {
          name: format.name,
          schema: format.schema,
          ...(format.strict !== undefined ? { strict: format.strict } : {}),
          ...(format.description !== undefined ? { description: format.description } : {}),
        },
      };
  }
}

/**
 * An explicit effort wins. A bare token budget (Anthropic clients) is mapped to the nearest effort:
 * the thresholds follow the budgets Anthropic's own tooling uses for "think" (~4k), "think hard"
 * (~10k) and "ultrathink" (~32k). A heuristic, but the effort scale has no token unit to convert to.
 */
function reasoningEffort(reasoning: ReasoningConfig, dialect: ChatDialect): string | undefined {
  let effort = reasoning.effort;
  if (effort === undefined && reasoning.budgetTokens !== undefined) {
    effort = reasoning.budgetTokens <= 4096 ? 'low' : reasoning.budgetTokens <= 16384 ? 'medium' : 'high';
  }
  if (effort === 'minimal') return dialect.minimalEffort;
  return effort;
}
