import { REDACTED } from './redacted.js';
import { scrubKnownShapes } from './secret-shapes.js';

// Shorter values collide with ordinary text too often (a 6-digit number, a short word): redacting
// every occurrence would make the logs useless while protecting nothing of real entropy.
const MIN_SECRET_LENGTH = 8;

/** Registered value -> the spellings under which it can show up in output. */
const registered = new Map<string, readonly string[]>();
let cachedForms: readonly string[] | null = null;

// Log lines are JSON, so a value holding `"`, `\` or control characters appears escaped; a value
// that sat inside a JSON string which was itself logged as a string appears escaped twice.
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function spellingsOf(value: string): string[] {
  const forms = new Set<string>();
  // Secrets read from files and env vars often carry a stray newline or space; the trimmed
  // value is what ends up in headers.
  for (const candidate of [value, value.trim()]) {
    if (candidate.length < MIN_SECRET_LENGTH) continue;
    const once = jsonEscaped(candidate);
    forms.add(candidate).add(once).add(jsonEscaped(once));
  }
  return [...forms];
}

export function registerSecret(value: string): void {
  // Config values arrive from untyped sources; a missing one must not throw at startup.
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  registered.set(value, spellingsOf(value));
  cachedForms = null;
}

export function unregisterSecret(value: string): void {
  if (registered.delete(value)) cachedForms = null;
}

export function clearRegisteredSecrets(): void {
  registered.clear();
  cachedForms = null;
}

function allForms(): readonly string[] {
  cachedForms ??= [...new Set([...registered.values()].flat())];
  return cachedForms;
}

// Collects every occurrence (overlapping ones too) of every form, then redacts the union of the
// spans. Replacing form by form would let two overlapping secrets, or a periodic secret that
// overlaps itself, leave a fragment of one of them in clear text.
function redactRegistered(text: string): string {
  const spans: [number, number][] = [];
  for (const form of allForms()) {
    // Occurrences of one form arrive in order, so overlapping ones merge here and a repetitive
    // input cannot grow the list to one entry per character.
    let current: [number, number] | null = null;
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
      if (current !== null && at <= current[1]) {
        current[1] = at + form.length;
      } else {
        current = [at, at + form.length];
        spans.push(current);
      }
    }
  }
  if (spans.length === 0) return text;

  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let redactedUpTo = -1; // -1 so that a span starting at 0 still opens a new redaction
  for (const [start, end] of spans) {
    if (start > redactedUpTo) out += text.slice(Math.max(redactedUpTo, 0), start) + REDACTED;
    redactedUpTo = Math.max(redactedUpTo, end);
  }
  return out + text.slice(redactedUpTo);
}

/**
 * Replaces every registered secret (raw or JSON-escaped) and every known secret shape with
 * `[REDACTED]`. Runs on every log line and on anything echoed back to a client.
 *
 * Fails closed: if scrubbing throws (V8 can still run out of regex stack on pathological input),
 * the whole text is replaced by `[REDACTED]` rather than passed through unscrubbed.
 */
export function scrubSecrets(text: string): string {
  try {
    // Exact values first: a shape that matched only part of a registered value would otherwise
    // leave the rest of it behind, no longer matching the registered spelling.
    return scrubKnownShapes(redactRegistered(text));
  } catch {
    return REDACTED;
  }
}
