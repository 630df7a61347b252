/**
 * Request-side rules for native passthrough to providers whose Chat Completions endpoint refuses
 * (or silently ignores) parameters OpenAI's accepts. Translation already refuses these from the
 * dialect; a passed-through body skipped that check, so a client's `n: 2` reached Groq as its own
 * 400, or DeepSeek answered one choice instead of two. Refusing before the call gives the
 * documented 400 naming the parameter, and lets routing try a candidate that can serve it.
 */
import type { ProviderAdapter } from '../types.js';
import { UnsupportedFeatureError } from '../types.js';

export type PassthroughRules = {
  /** Largest `n` the provider honours. */
  maxChoices: number;
  /** Top-level parameters the provider refuses or ignores when they ask for something (not when `false`/empty). */
  refusedParameters?: readonly string[];
  /** `response_format.type` values the provider knows; others are refused. */
  responseFormats?: readonly string[];
  /** Drop `messages[].name` (a participant label with no effect on the answer), as translation does. */
  dropMessageName?: boolean;
};

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value that asks for nothing: `false`, `null`, `{}`, `[]`. Sending it would only trip a strict validator. */
function isNoOp(value: unknown): boolean {
  if (value === false || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

function refusal(provider: ProviderAdapter['id'], body: Json, rules: PassthroughRules): UnsupportedFeatureError | undefined {
  if (typeof body.n === 'number' && body.n > rules.maxChoices)
    return new UnsupportedFeatureError(provider, 'n', `parameter "n": n > ${rules.maxChoices} is not supported by ${provider}`);
  for (const name of rules.refusedParameters ?? []) {
    if (body[name] !== undefined && !isNoOp(body[name]))
      return new UnsupportedFeatureError(provider, name, `parameter "${name}" is not supported by ${provider}`);
  }
  const format = isRecord(body.response_format) ? body.response_format.type : undefined;
  if (rules.responseFormats && typeof format === 'string' && !rules.responseFormats.includes(format))
    return new UnsupportedFeatureError(
      provider,
      'response_format',
      `parameter "response_format": ${format} is not supported by ${provider}`,
    );
  return undefined;
}

function withoutNoOps(body: Json, rules: PassthroughRules): Json {
  const out: Json = { ...body };
  for (const name of rules.refusedParameters ?? []) if (out[name] !== undefined && isNoOp(out[name])) delete out[name];
  if (rules.dropMessageName && Array.isArray(out.messages)) {
    out.messages = out.messages.map((message: unknown) => {
      if (!isRecord(message) || !('name' in message)) return message;
      const { name: _name, ...rest } = message;
      return rest;
    });
  }
  return out;
}

export function withPassthroughRules(adapter: ProviderAdapter, rules: PassthroughRules): ProviderAdapter {
  if (!adapter.passthroughRequest) return adapter;
  const inner = adapter.passthroughRequest.bind(adapter);
  return {
    ...adapter,
    passthroughRequest(input) {
      if (input.format !== 'openai-chat') return inner(input);
      const error = refusal(adapter.id, input.body, rules);
      if (error) throw error;
      return inner({ ...input, body: withoutNoOps(input.body, rules) });
    },
  };
}
