/**
 * Guardrails over a streamed response. Text arrives in chunks and a secret or a card number may
 * be split across two of them, so the guard holds back a carry-over window — not the whole
 * stream: each chunk is scanned together with what is held, and everything but the last
 * `window` characters is released. The cut never falls inside a finding (it moves back to the
 * finding's start), inside a placeholder that reversible redaction will restore, or inside a PEM
 * block whose END line has not arrived yet (held up to 8 KB), so what is released has been judged
 * whole. The added latency is the window, not the response.
 */
import { applyGuardrails, findGuardrailActions, type ApplyContext, type GuardrailEvent } from './apply.js';

/** Longer than any token format the secret rules know, short enough to add little latency. */
export const DEFAULT_STREAM_WINDOW = 256;
const PEM_HOLD_LIMIT = 8192;

export type StreamStep =
  { blocked: GuardrailEvent; events: GuardrailEvent[] } | { blocked: undefined; emit: string; events: GuardrailEvent[] };

export type StreamGuard = {
  /** Scans a new chunk; returns the text that may be sent now (possibly empty). */
  push(chunk: string): StreamStep;
  /** The end of the stream: judges and returns what is still held. */
  end(): StreamStep;
};

export function createStreamGuard(context: ApplyContext, window = DEFAULT_STREAM_WINDOW): StreamGuard {
  let held = '';
  /** Characters of the original stream released so far: event offsets are relative to the stream. */
  let released = 0;
  let blocked: GuardrailEvent | undefined;

  function cutPoint(buffer: string, final: boolean): number {
    if (final) return buffer.length;
    let cut = Math.max(0, buffer.length - window);
    for (const { finding } of findGuardrailActions(buffer, context)) if (finding.start < cut && finding.end > cut) cut = finding.start;
    const pem = buffer.lastIndexOf('-----BEGIN');
    if (pem >= 0 && pem < cut && !buffer.includes('-----END', pem) && buffer.length - pem < PEM_HOLD_LIMIT) cut = pem;
    if (context.vault.reversible) {
      const open = buffer.lastIndexOf('[', cut - 1);
      if (open >= 0 && !buffer.slice(open, cut).includes(']') && cut - open <= context.vault.longestPlaceholder) cut = open;
    }
    return cut;
  }

  function step(chunk: string, final: boolean): StreamStep {
    if (blocked) return { blocked, events: [] };
    const buffer = held + chunk;
    const cut = cutPoint(buffer, final);
    const judged = buffer.slice(0, cut);
    held = buffer.slice(cut);
    if (judged === '') return { blocked: undefined, emit: '', events: [] };
    const outcome = applyGuardrails(judged, context);
    const events = outcome.events.map((e) => ({ ...e, start: e.start + released, end: e.end + released }));
    released += judged.length;
    if (outcome.blocked) {
      blocked = events.find((e) => e.action === 'block');
      return { blocked: blocked!, events };
    }
    return { blocked: undefined, emit: context.vault.restore(outcome.text), events };
  }

  return { push: (chunk) => step(chunk, false), end: () => step('', true) };
}
