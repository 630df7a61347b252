/**
 * The two non-streamed guardrail steps of a chat exchange: the request before it is routed
 * (redactions change what the provider receives; a block refuses it before anything is spent),
 * and a JSON answer before the client sees it (redactions, restored placeholders, or a block).
 */
import type { InboundFormat, ParsedInbound } from '../formats/types.js';
import { guardrailBlockedError } from './blocked-error.js';
import type { RequestGuard } from './request-guard.js';
import { embeddingsSlots, requestSlots } from './request-slots.js';
import { responseTextSlots } from './response-slots.js';
import { isObject } from './text-slots.js';

/** The request as it may be sent: the client's own when nothing changed, else re-read from the redacted body. */
export async function guardRequest<P extends ParsedInbound>(
  format: { id: InboundFormat['id']; parseRequest(body: unknown): P },
  parsed: P,
  guard: RequestGuard,
): Promise<P> {
  if (!guard.active) return parsed;
  const body = structuredClone(parsed.raw);
  const { blocked, changed } = await guard.judge(requestSlots(format.id, body), 'input');
  if (blocked) throw guardrailBlockedError(blocked);
  // Parsed again so the canonical request (used when translating) carries the same redactions.
  return changed ? format.parseRequest(body) : parsed;
}

/** The answer's JSON text as the client may see it. Throws the 400 when a guardrail blocks it. */
export async function guardAnswer(format: InboundFormat, text: string, guard: RequestGuard): Promise<string> {
  if (!guard.active && !guard.vault.reversible) return text;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text; // the caller already refused non-JSON answers; nothing here to judge
  }
  if (!isObject(body)) return text;
  const { blocked, changed } = await guard.judge(responseTextSlots(format.id, body), 'output');
  if (blocked) throw guardrailBlockedError(blocked);
  return changed ? JSON.stringify(body) : text;
}

/** An embeddings request's input texts, redacted in place (or the 400 when one is blocked). */
export async function guardEmbeddingsInput(body: { input: unknown }, guard: RequestGuard): Promise<void> {
  if (!guard.active) return;
  const { blocked } = await guard.judge(embeddingsSlots(body), 'input');
  if (blocked) throw guardrailBlockedError(blocked);
}
