/**
 * Tool-call ids as clients see them. A function call's thought signature must come back with the call,
 * but the client formats (OpenAI tool_calls, Anthropic tool_use) have no field for it; the id is the one
 * thing every client echoes verbatim. So the signature rides inside the id:
 *
 *   <base id>__gsig_<base64url(UTF-8 signature)>
 *
 * The alphabet stays [A-Za-z0-9_-] (valid as an Anthropic tool_use id too). The signature is encoded as
 * UTF-8 text rather than converted from base64, so any string (including the validator-skip sentinel)
 * survives exactly. The base id is what Gemini sees as `functionCall.id` / `functionResponse.id`.
 */
import { randomUUID } from 'node:crypto';

const MARK = '__gsig_';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function encodeToolCallId(baseId: string, signature: string | undefined): string {
  if (signature === undefined || signature === '') return baseId;
  return `${baseId}${MARK}${Buffer.from(signature, 'utf8').toString('base64url')}`;
}

/** Splits a client-supplied id. A malformed signature suffix is treated as part of a plain id, never decoded loosely. */
export function decodeToolCallId(id: string): { baseId: string; signature?: string } {
  const at = id.indexOf(MARK);
  if (at <= 0) return { baseId: id };
  const encoded = id.slice(at + MARK.length);
  if (!BASE64URL.test(encoded)) return { baseId: id };
  const bytes = Buffer.from(encoded, 'base64url');
  // Node's decoder skips what it cannot read; only an exact round trip proves the suffix is ours.
  if (bytes.toString('base64url') !== encoded) return { baseId: id };
  const signature = bytes.toString('utf8');
  if (Buffer.from(signature, 'utf8').toString('base64url') !== encoded) return { baseId: id };
  return { baseId: id.slice(0, at), signature };
}

/**
 * The part of generated ids shared by one response: derived from Gemini's response id so the same response
 * always yields the same ids, random when Gemini sent none.
 */
export function toolCallScope(responseId: string | undefined): string {
  const fromResponse = (responseId ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
  return fromResponse !== '' ? fromResponse : randomUUID().replace(/-/g, '').slice(0, 16);
}

/** A base id for a function call Gemini sent without one; unique across candidates and turns (clients key results by id). */
export function generatedToolCallId(scope: string, choice: number, index: number): string {
  return `call_${scope}_${choice}_${index}`;
}
