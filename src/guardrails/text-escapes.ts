/**
 * Percent-escapes and string escapes, as the PII and secret detectors read them. A URL carries
 * its values percent-encoded (`token=%67%68%70%5F…`: a whole value passed through
 * `encodeURIComponent`), and code, JSON and logs write a string's characters as `\u0067` or
 * `\x67`. A model reads them as the characters they stand for; the detectors' patterns did not,
 * so a key or an address written so went to the provider unseen.
 *
 * A percent-escape is read only for the characters a URL never needs to escape, letters, digits
 * and `-._~`: those it stands for are data, and the reserved ones (`%40` for "@", `%2F` for "/",
 * `%20`…) are escaped in a URL precisely because, read, they change its structure: a database
 * URL's password written `p%2Fa%3Dss%40…` (as it must be) read as a path and a host, and its
 * credentials were no longer found. An address's `%40` is read by the address detector itself.
 * `\xXX` is read for printable ASCII (20–7E): the values looked for are ASCII, and one byte of a
 * UTF-8 sequence alone is no character. `\uXXXX` is read for any
 * character of the Basic Multilingual Plane but NUL and the surrogates (like a numeric HTML
 * reference, html-entity.ts), so an escaped look-alike or invisible character reads as the
 * detection view reads it unescaped.
 */

/** A percent-escape of a digit (30–39), a letter (41–5A, 61–7A), "-", ".", "_" or "~". */
const UNRESERVED_PERCENT = '%(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|2[DEde]|5[Ff]|7[Ee])';

/** In a pattern: an escape the view may read. */
export const TEXT_ESCAPE = `${UNRESERVED_PERCENT}|\\\\(?:u[0-9A-Fa-f]{4}|x[2-7][0-9A-Fa-f])`;
/** A native check that text may hold one, before the pattern pass. */
export const MAY_HAVE_TEXT_ESCAPE = new RegExp(TEXT_ESCAPE);

/**
 * The character an escape TEXT_ESCAPE matched stands for (one UTF-16 unit), or undefined when
 * it is not read: DEL, NUL or a surrogate.
 */
export function readTextEscape(escape: string): string | undefined {
  const code = Number.parseInt(escape.slice(escape.charCodeAt(0) === 0x25 /* % */ ? 1 : 2), 16);
  if (code === 0 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return String.fromCharCode(code);
}
