/**
 * Reading assistant text and reasoning out of a Chat Completions message or delta, across the
 * shapes OpenAI-compatible servers use: DeepSeek/xAI/vLLM `reasoning_content`, Groq/Together/
 * Ollama `reasoning`, and Mistral's content arrays with `thinking` chunks.
 */
import type { ChatDialect } from './dialect.js';
import { isRecord } from './wire.js';

/** The first reasoning field the dialect knows that carries text. */
export function reasoningField(source: Readonly<Record<string, unknown>>, dialect: ChatDialect): string | undefined {
  for (const field of dialect.reasoningFields) {
    const value = source[field];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/**
 * Splits `content` into answer text and reasoning text. A string is all answer. An array keeps
 * `text` chunks as answer and `thinking` chunks (Mistral) as reasoning; other chunk kinds carry
 * no text the canonical message can hold and are skipped.
 */
export function splitContent(content: unknown): { text: string | undefined; reasoning: string | undefined } {
  if (typeof content === 'string') return { text: content, reasoning: undefined };
  if (!Array.isArray(content)) return { text: undefined, reasoning: undefined };
  let text: string | undefined;
  let reasoning: string | undefined;
  for (const chunk of content) {
    if (!isRecord(chunk)) continue;
    if (chunk.type === 'text' && typeof chunk.text === 'string') text = (text ?? '') + chunk.text;
    if (chunk.type === 'thinking' && Array.isArray(chunk.thinking)) {
      for (const inner of chunk.thinking) {
        if (isRecord(inner) && typeof inner.text === 'string') reasoning = (reasoning ?? '') + inner.text;
      }
    }
  }
  return { text, reasoning };
}
