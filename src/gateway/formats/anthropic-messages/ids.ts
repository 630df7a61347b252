/** Message ids in Anthropic's `msg_…` shape, and tool input objects from canonical JSON text. */

/** An Anthropic upstream's id is kept; any other gets a `msg_` id derived from the gateway request id. */
export function messageId(upstreamId: string, requestId: string): string {
  if (/^msg_[A-Za-z0-9_-]+$/.test(upstreamId)) return upstreamId;
  return `msg_${requestId.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

/**
 * Tool input for a tool_use block. Anthropic's input is always a JSON object. Arguments that are
 * not a JSON object (typically cut off by max_tokens) become `{}`: never a best-effort partial
 * parse, which could hand the client a shorter command than the model wrote; an empty input fails
 * the client's schema validation loudly instead of running something half-read.
 */
export function toolInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
