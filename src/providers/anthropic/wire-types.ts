/**
 * The subset of the Messages API request shape the adapter writes when translating. Field names
 * are Anthropic's (snake_case); see @anthropic-ai/sdk `MessageCreateParamsBase`.
 */
import type { CacheControl } from '../../gateway/canonical/types.js';

export type WireCacheControl = CacheControl;

export type WireTextBlock = { type: 'text'; text: string; cache_control?: WireCacheControl };

export type WireImageBlock = {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
  cache_control?: WireCacheControl;
};

export type WireDocumentBlock = {
  type: 'document';
  source:
    | { type: 'base64'; media_type: 'application/pdf'; data: string }
    | { type: 'text'; media_type: 'text/plain'; data: string }
    | { type: 'url'; url: string };
  title?: string;
  cache_control?: WireCacheControl;
};

export type WireThinkingBlock = { type: 'thinking'; thinking: string; signature: string };
export type WireRedactedThinkingBlock = { type: 'redacted_thinking'; data: string };

export type WireToolUseBlock = { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export type WireToolResultBlock = {
  type: 'tool_result';
  tool_use_id: string;
  content?: (WireTextBlock | WireImageBlock | WireDocumentBlock)[];
  is_error?: boolean;
  cache_control?: WireCacheControl;
};

export type WireUserBlock = WireTextBlock | WireImageBlock | WireDocumentBlock | WireToolResultBlock;
export type WireAssistantBlock = WireTextBlock | WireThinkingBlock | WireRedactedThinkingBlock | WireToolUseBlock;

export type WireMessage = { role: 'user'; content: WireUserBlock[] } | { role: 'assistant'; content: WireAssistantBlock[] };

export type WireTool = {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
  cache_control?: WireCacheControl;
};

export type WireToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type WireMessagesBody = {
  model: string;
  max_tokens: number;
  messages: WireMessage[];
  system?: WireTextBlock[];
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id: string };
  thinking?: { type: 'enabled'; budget_tokens: number };
  output_config?: { format: { type: 'json_schema'; schema: Record<string, unknown> } };
  stream?: boolean;
};
