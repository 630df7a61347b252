/**
 * Context words around a candidate ("Phone: …", "my SSN is …", "… (fax)"). Only ever applied to
 * a short window next to a candidate, never to the whole text, so their cost does not grow with
 * the prompt.
 */

/** The text just before `start`, at most `max` characters. */
export function windowBefore(text: string, start: number, max: number): string {
  return text.slice(Math.max(0, start - max), start);
}

/** Whether `re` (not global) matches within `max` characters before `start`. */
export function hasContextBefore(text: string, start: number, re: RegExp, max: number): boolean {
  return re.test(windowBefore(text, start, max));
}

/**
 * Where the last match of `re` (must be global) ends in `window`, or -1. Used to tell which of
 * two competing cues ("order", "phone") sits closest to the candidate.
 */
export function lastMatchEnd(re: RegExp, window: string): number {
  re.lastIndex = 0;
  let end = -1;
  for (let m = re.exec(window); m !== null; m = re.exec(window)) {
    end = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  return end;
}

/** The part of `window` after its last digit: a cue only belongs to the nearest number. */
export function afterLastDigit(window: string): string {
  for (let i = window.length - 1; i >= 0; i--) {
    const c = window.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) return window.slice(i + 1);
  }
  return window;
}
