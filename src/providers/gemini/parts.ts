/**
 * One response part → what it means canonically. Shared by the non-streamed reader and the stream decoder
 * so both treat thoughts, text, signatures and function calls identically.
 */
import { exportSignature } from './signatures.js';
import { encodeToolCallId, generatedToolCallId } from './tool-call-ids.js';
import type { WirePartOut } from './wire-response.js';

export type PartMeaning =
  | { kind: 'reasoning'; text: string; signature?: string }
  /** Visible text; a signature on it is surfaced as signature-only reasoning (canonical text has no signature). */
  | { kind: 'text'; text: string; signature?: string }
  | { kind: 'tool_call'; id: string; name: string; arguments: string };

export type ToolCallNaming = { scope: string; choice: number; index: number };

/** Undefined for parts this gateway does not surface (inline images from image models, code execution). */
export function readPart(part: WirePartOut, naming: ToolCallNaming): PartMeaning | undefined {
  const signature =
    part.thoughtSignature !== undefined && part.thoughtSignature !== '' ? exportSignature(part.thoughtSignature) : undefined;
  const signed = signature !== undefined ? { signature } : {};
  if (part.functionCall) {
    const baseId = part.functionCall.id || generatedToolCallId(naming.scope, naming.choice, naming.index);
    return {
      kind: 'tool_call',
      // The raw signature rides in the id; see tool-call-ids.ts.
      id: encodeToolCallId(baseId, part.thoughtSignature),
      name: part.functionCall.name,
      arguments: JSON.stringify(part.functionCall.args ?? {}),
    };
  }
  const unsurfaced = [part.inlineData, part.fileData, part.executableCode, part.codeExecutionResult].some(
    (payload) => payload !== undefined,
  );
  // A part with nothing but a signature still carries the signature; one with an unsurfaced payload does not.
  if (unsurfaced || (part.text === undefined && signature === undefined)) return undefined;
  const text = part.text ?? '';
  if (part.thought === true) return { kind: 'reasoning', text, ...signed };
  return { kind: 'text', text, ...signed };
}
