/**
 * Thought signatures: opaque, encrypted blobs Gemini attaches to parts (thoughts, text, function calls)
 * and wants back unchanged in later turns. Gemini 3 answers 400 when a replayed function call lacks one.
 *
 * Signatures reach clients as canonical reasoning signatures, the same field that carries Anthropic's
 * thinking signatures. They are tagged with a prefix so that a conversation which moves between providers
 * never sends another provider's signature to Gemini (Gemini rejects it as corrupted, failing the request).
 */

const PREFIX = 'gemini:';

/** A Gemini signature as the gateway hands it out. */
export function exportSignature(signature: string): string {
  return PREFIX + signature;
}

/** The Gemini signature inside a canonical one, or undefined when it came from elsewhere (or nowhere). */
export function importSignature(signature: string | undefined): string | undefined {
  if (signature === undefined || !signature.startsWith(PREFIX)) return undefined;
  const raw = signature.slice(PREFIX.length);
  return raw === '' ? undefined : raw;
}

/**
 * Google's documented stand-in for a function call whose signature is unavailable (history from another
 * model, or a client that rebuilt the message). It skips validation instead of failing the request.
 * https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export const SKIP_SIGNATURE_VALIDATOR = 'skip_thought_signature_validator';
