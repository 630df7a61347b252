/** Line breaks as the readers of encoded and spelt-out runs see them, in text and in a JSON string's view. */

/** Spaces and carriage returns: what may stand between a line's last character and its line feed. */
export const isLinePadding = (code: number): boolean => code === 32 || code === 13;

/**
 * Where the spaces and carriage returns that end at `end` start: with the line feed after them,
 * a line break ("\r\n"; trailing spaces an editor left; and a JSON string's escapes "\n" and
 * "\r\n", which its same-length view reads " \n" and " \r \n").
 */
export function linePaddingStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && isLinePadding(text.charCodeAt(start - 1))) start--;
  return start;
}

/** The length of the line break (spaces and carriage returns, then the line feed) that starts at `at`; 0 when none does. */
export function lineBreakAt(text: string, at: number): number {
  let end = at;
  while (end < text.length && isLinePadding(text.charCodeAt(end))) end++;
  return text.charCodeAt(end) === 10 ? end + 1 - at : 0;
}

/**
 * Where a line's quote marks end: the `>` of a quoted mail reply, each with the space or tab
 * after it ("> ", ">> ", "> > "); `lineStart` itself when the line is not quoted.
 */
export function quoteMarksEnd(text: string, lineStart: number): number {
  let at = lineStart;
  while (text.charCodeAt(at) === 0x3e /* > */) {
    at++;
    const code = text.charCodeAt(at);
    if (code === 32 || code === 9) at++;
  }
  return at;
}
