/**
 * Replaying a translated model's reasoning through a Responses client.
 *
 * A Responses client keeps no reasoning state of its own: it sends back the `reasoning` output
 * items it received, and OpenAI restores the model's hidden reasoning from the item's
 * `encrypted_content` (or from its server-side store). When the answer came from another provider,
 * that provider has its own replay requirement — Anthropic rejects a tool-use turn whose thinking
 * block (with its signature) is missing once extended thinking is on. So the gateway puts what the
 * provider needs into `encrypted_content` of the reasoning items it renders, and reads it back
 * when the client replays them.
 *
 * The token is not encrypted and need not be: it holds only what the provider returned to this
 * same client (a signature over the thinking text, or Anthropic's already-encrypted redacted
 * thinking), and the provider verifies the signature on replay, so a client that edits the token
 * or the summary text only gets its own request rejected. The thinking text itself travels in the
 * item's summary, which is where the client already sees it.
 */
import { z } from 'zod';
import type { ReasoningBlock } from '../../canonical/types.js';

/** Marks tokens the gateway wrote; anything else in `encrypted_content` is OpenAI's. */
export const REASONING_TOKEN_PREFIX = 'portcullis.reasoning.v1.';

const payload = z.discriminatedUnion('t', [
  z.object({ t: z.literal('thinking'), s: z.string().optional() }),
  z.object({ t: z.literal('redacted'), d: z.string() }),
]);

export function encodeReasoningToken(block: ReasoningBlock): string {
  const body =
    block.type === 'thinking'
      ? { t: 'thinking', ...(block.signature !== undefined ? { s: block.signature } : {}) }
      : { t: 'redacted', d: block.data };
  return REASONING_TOKEN_PREFIX + Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** True for `encrypted_content` the gateway produced (for the passthrough path, which must not send it to OpenAI). */
export function isGatewayReasoningToken(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(REASONING_TOKEN_PREFIX);
}

export type DecodedReasoningToken =
  { kind: 'foreign' } | { kind: 'invalid' } | { kind: 'block'; build: (summaryText: string) => ReasoningBlock };

/**
 * `foreign`: not ours (OpenAI's encrypted reasoning, or none at all). `invalid`: carries our
 * prefix but cannot be read. `block`: rebuild the canonical block, given the item's summary text.
 */
export function decodeReasoningToken(value: string | null | undefined): DecodedReasoningToken {
  if (!isGatewayReasoningToken(value)) return { kind: 'foreign' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value.slice(REASONING_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return { kind: 'invalid' };
  }
  const parsed = payload.safeParse(json);
  if (!parsed.success) return { kind: 'invalid' };
  const data = parsed.data;
  if (data.t === 'redacted') return { kind: 'block', build: () => ({ type: 'redacted_thinking', data: data.d }) };
  return {
    kind: 'block',
    build: (text) => ({ type: 'thinking', text, ...(data.s !== undefined ? { signature: data.s } : {}) }),
  };
}
