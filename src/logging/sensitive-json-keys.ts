import { REDACTED } from './redacted.js';
import { SENSITIVE_FIELD_NAMES, SENSITIVE_HEADER_NAMES } from './sensitive-fields.js';
import { escapeRegExp } from '../reg-exp.js';

/*
 * Redacts the string value of a sensitive key anywhere in serialized JSON, in any letter case.
 * pino's path redaction is exact-case and stops at a fixed depth, so this is the second layer
 * for `Authorization`, `err.config.headers["x-api-key"]` and the like. It also understands JSON
 * that was itself logged inside a string (`"body":"{\"password\":\"...\"}"`), the usual shape
 * of a request or upstream body logged as text.
 *
 * Values are skipped by a hand-written scan rather than a regex: a regex that understands `\"`
 * escapes needs a quantified group, and V8 keeps one backtrack entry per iteration of such a
 * group, which overflows its stack on multi-megabyte values. The key pattern has no unbounded
 * run before a literal, and every match moves the cursor forward, so the whole pass is linear.
 */

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

const KEY_NAMES = [...SENSITIVE_HEADER_NAMES, ...SENSITIVE_FIELD_NAMES].map(escapeRegExp).join('|');
// `esc` is empty for a key of the line itself and a backslash for a key inside a JSON string.
const SENSITIVE_KEY = new RegExp(String.raw`(?<esc>\\?)"(?<key>${KEY_NAMES})\k<esc>"\s*:\s*\k<esc>"`, 'gi');

/** Where the text after a value of the line itself (and its closing quote) starts. */
function afterValue(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === BACKSLASH) i++;
    else if (char === QUOTE) return i + 1;
  }
  return text.length;
}

/**
 * Same for a value inside a JSON string: decodes the outer escapes on the fly and looks for the
 * inner closing quote (`\"` not escaped at the inner level). Stops at the outer string's own
 * closing quote if the inner value is truncated, so the outer JSON stays intact.
 */
function afterNestedValue(text: string, from: number): number {
  let innerEscaped = false;
  for (let i = from; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === QUOTE) return i;
    let inner = char;
    if (char === BACKSLASH) {
      if (i + 1 >= text.length) return text.length;
      inner = text.charCodeAt(i + 1);
      if (inner === 0x75 /* u */) {
        inner = Number.parseInt(text.slice(i + 2, i + 6), 16);
        i += 5;
      } else {
        i += 1;
      }
    }
    if (innerEscaped) innerEscaped = false;
    else if (inner === BACKSLASH) innerEscaped = true;
    else if (inner === QUOTE) return i + 1;
  }
  return text.length;
}

export function scrubSensitiveJsonKeys(text: string): string {
  const pattern = SENSITIVE_KEY;
  pattern.lastIndex = 0;
  let out = '';
  let copiedUpTo = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const esc = match.groups?.esc ?? '';
    const key = match.groups?.key ?? '';
    const resumeAt = esc === '' ? afterValue(text, pattern.lastIndex) : afterNestedValue(text, pattern.lastIndex);
    const quote = `${esc}"`;
    out += `${text.slice(copiedUpTo, match.index)}${quote}${key}${quote}:${quote}${REDACTED}${quote}`;
    copiedUpTo = resumeAt;
    pattern.lastIndex = resumeAt;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}
